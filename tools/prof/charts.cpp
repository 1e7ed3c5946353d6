#include "charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace penumbra::prof {
namespace {

constexpr double kWidth = 800, kHeight = 420;
constexpr double kLeft = 70, kRight = 160, kTop = 40, kBottom = 50;  // margins; the legend sits on the right

struct Frame {
  double x_min, x_max, y_max;
  double px(double x) const {
    const double span = x_max > x_min ? x_max - x_min : 1.0;
    return kLeft + (x - x_min) / span * (kWidth - kLeft - kRight);
  }
  double py(double y) const { return kHeight - kBottom - y / y_max * (kHeight - kTop - kBottom); }
};

// A "nice" axis maximum (1, 2 or 5 times a power of ten) so tick labels are round numbers.
double nice_ceiling(double value) {
  if (!(value > 0) || !std::isfinite(value)) return 1.0;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (value <= step * power) return step * power;
  return 10 * power;
}

Frame draw_axes(SvgDocument& svg, const std::string& title, const std::string& y_label, const std::vector<double>& x,
                double y_max) {
  Frame frame{x.empty() ? 0 : x.front(), x.empty() ? 1 : x.back(), nice_ceiling(y_max)};
  svg.text(kWidth / 2, 24, title, 16, "middle");
  svg.line(kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom, "black");
  svg.line(kLeft, kTop, kLeft, kHeight - kBottom, "black");
  for (int tick = 0; tick <= 5; ++tick) {
    const double y = frame.y_max * tick / 5;
    svg.line(kLeft - 4, frame.py(y), kWidth - kRight, frame.py(y), tick == 0 ? "black" : "#dddddd");
    svg.text(kLeft - 8, frame.py(y) + 4, fmt::format("{:.3g}", y), 11, "end");
  }
  const std::size_t step = std::max<std::size_t>(1, (x.size() + 9) / 10);  // at most ~10 labels
  for (std::size_t i = 0; i < x.size(); i += step)
    svg.text(frame.px(x[i]), kHeight - kBottom + 18, fmt::format("{}", x[i]), 11, "middle");
  svg.text((kLeft + kWidth - kRight) / 2, kHeight - 10, "epoch", 12, "middle");
  svg.text(18, (kTop + kHeight - kBottom) / 2, y_label, 12, "middle", -90);
  return frame;
}

void legend(SvgDocument& svg, std::size_t index, const Series& series) {
  const double y = kTop + 10 + 20 * static_cast<double>(index);
  svg.rect(kWidth - kRight + 15, y - 9, 14, 10, series.color);
  svg.text(kWidth - kRight + 35, y, series.name, 11);
}

double largest(const std::vector<double>& values) {
  double result = 0;
  for (double v : values)
    if (std::isfinite(v)) result = std::max(result, v);
  return result;
}

}  // namespace

SvgDocument line_chart(const std::string& title, const std::string& y_label, const std::vector<double>& x,
                       const std::vector<Series>& series) {
  SvgDocument svg(kWidth, kHeight);
  double y_max = 0;
  for (const auto& s : series) y_max = std::max(y_max, largest(s.values));
  const Frame frame = draw_axes(svg, title, y_label, x, y_max);
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::vector<std::pair<double, double>> points;
    for (std::size_t j = 0; j < x.size() && j < series[i].values.size(); ++j)
      if (std::isfinite(series[i].values[j])) points.emplace_back(frame.px(x[j]), frame.py(series[i].values[j]));
    svg.polyline(points, series[i].color, 2, series[i].dash);
    legend(svg, i, series[i]);
  }
  return svg;
}

SvgDocument bar_chart(const std::string& title, const std::string& y_label, const std::vector<double>& x,
                      const Series& bars, const std::vector<std::string>& tooltips) {
  SvgDocument svg(kWidth, kHeight);
  // Bars are centred on their epoch, so pad the axis by half a bar on each side.
  std::vector<double> padded = x;
  if (!padded.empty()) {
    padded.insert(padded.begin(), padded.front() - 0.5);
    padded.push_back(padded.back() + 0.5);
  }
  const Frame frame = draw_axes(svg, title, y_label, padded, largest(bars.values));
  const double slot = x.size() > 0 ? (kWidth - kLeft - kRight) / static_cast<double>(x.size() + 1) : 10;
  for (std::size_t i = 0; i < x.size() && i < bars.values.size(); ++i) {
    const double top = frame.py(bars.values[i]);
    svg.rect(frame.px(x[i]) - 0.4 * slot, top, 0.8 * slot, kHeight - kBottom - top, bars.color,
             i < tooltips.size() ? tooltips[i] : fmt::format("epoch {}: {}", x[i], bars.values[i]));
  }
  legend(svg, 0, bars);
  return svg;
}

SvgDocument heat_map(const std::string& title, const std::string& row_label, const std::vector<double>& x,
                     const std::vector<std::vector<double>>& cells) {
  SvgDocument svg(kWidth, kHeight);
  svg.text(kWidth / 2, 24, title, 16, "middle");
  double top_value = 0;
  for (const auto& row : cells) top_value = std::max(top_value, largest(row));
  if (top_value <= 0) top_value = 1;
  const double plot_width = kWidth - kLeft - kRight, plot_height = kHeight - kTop - kBottom;
  const double cell_w = plot_width / static_cast<double>(std::max<std::size_t>(1, x.size()));
  const double cell_h = plot_height / static_cast<double>(std::max<std::size_t>(1, cells.size()));
  for (std::size_t r = 0; r < cells.size(); ++r) {
    for (std::size_t c = 0; c < cells[r].size() && c < x.size(); ++c) {
      const double v = std::isfinite(cells[r][c]) ? std::clamp(cells[r][c] / top_value, 0.0, 1.0) : 0.0;
      // White to dark red: green and blue fall with the value, red stays high until the top.
      const auto channel = [](double level) { return static_cast<int>(std::lround(255 * level)); };
      const std::string color =
          fmt::format("#{:02x}{:02x}{:02x}", channel(1 - 0.45 * v), channel(1 - v), channel(1 - v));
      svg.rect(kLeft + static_cast<double>(c) * cell_w, kTop + static_cast<double>(r) * cell_h, cell_w, cell_h, color,
               fmt::format("{} {}, epoch {}: {:.4g}", row_label, r, x[c], cells[r][c]));
    }
    if (cells.size() <= 32 || r % (cells.size() / 16) == 0)
      svg.text(kLeft - 6, kTop + (static_cast<double>(r) + 0.5) * cell_h + 4, fmt::format("{}", r), 10, "end");
  }
  const std::size_t step = std::max<std::size_t>(1, (x.size() + 9) / 10);
  for (std::size_t c = 0; c < x.size(); c += step)
    svg.text(kLeft + (static_cast<double>(c) + 0.5) * cell_w, kHeight - kBottom + 18, fmt::format("{}", x[c]), 11,
             "middle");
  svg.text(kLeft + plot_width / 2, kHeight - 10, "epoch", 12, "middle");
  svg.text(18, kTop + plot_height / 2, row_label, 12, "middle", -90);
  // Colour scale.
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    const auto channel = [](double level) { return static_cast<int>(std::lround(255 * level)); };
    svg.rect(kWidth - kRight + 20, kTop + (10 - i) * 20.0, 20, 20,
             fmt::format("#{:02x}{:02x}{:02x}", channel(1 - 0.45 * v), channel(1 - v), channel(1 - v)));
  }
  svg.text(kWidth - kRight + 45, kTop + 12, fmt::format("{:.3g} s", top_value), 11);
  svg.text(kWidth - kRight + 45, kTop + 220, "0 s", 11);
  return svg;
}

}  // namespace penumbra::prof
