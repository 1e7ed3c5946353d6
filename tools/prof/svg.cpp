#include "svg.hpp"

#include <fmt/format.h>

#include <fstream>

#include "penumbra/errors.hpp"

namespace penumbra::prof {

std::string xml_escape(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        result += "&amp;";
        break;
      case '<':
        result += "&lt;";
        break;
      case '>':
        result += "&gt;";
        break;
      case '"':
        result += "&quot;";
        break;
      case '\'':
        result += "&apos;";
        break;
      default:
        result += c;
    }
  }
  return result;
}

SvgDocument::SvgDocument(double width, double height) : width_(width), height_(height) {
  rect(0, 0, width, height, "white");
}

void SvgDocument::rect(double x, double y, double width, double height, std::string_view fill,
                       std::string_view tooltip) {
  if (tooltip.empty()) {
    body_ += fmt::format("<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"{}\"/>\n", x, y,
                         width, height, xml_escape(fill));
    return;
  }
  body_ += fmt::format(
      "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"{}\"><title>{}</title></rect>\n", x, y,
      width, height, xml_escape(fill), xml_escape(tooltip));
}

void SvgDocument::line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width) {
  body_ +=
      fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                  x1, y1, x2, y2, xml_escape(stroke), stroke_width);
}

void SvgDocument::polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                           double stroke_width, std::string_view dash) {
  std::string coordinates;
  for (const auto& [x, y] : points) coordinates += fmt::format("{:.2f},{:.2f} ", x, y);
  body_ += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", coordinates,
                       xml_escape(stroke), stroke_width,
                       dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", xml_escape(dash)));
}

void SvgDocument::text(double x, double y, std::string_view content, double size, std::string_view anchor,
                       double rotate) {
  const std::string transform =
      rotate == 0 ? std::string() : fmt::format(" transform=\"rotate({} {:.2f} {:.2f})\"", rotate, x, y);
  body_ += fmt::format(
      "<text x=\"{:.2f}\" y=\"{:.2f}\" font-family=\"sans-serif\" font-size=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", x,
      y, size, xml_escape(anchor), transform, xml_escape(content));
}

std::string SvgDocument::str() const {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n{2}</svg>\n",
      width_, height_, body_);
}

void SvgDocument::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << str();
  out.flush();
  if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

}  // namespace penumbra::prof
