#pragma once
// A minimal SVG writer: the few shapes the charts need, with text escaped so any run name makes valid XML.
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace penumbra::prof {

/// `text` with &, <, >, " and ' replaced by entities.
std::string xml_escape(std::string_view text);

class SvgDocument {
 public:
  SvgDocument(double width, double height);

  /// A filled rectangle; `tooltip` becomes a <title> child (shown on hover in browsers).
  void rect(double x, double y, double width, double height, std::string_view fill, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width = 1.0);
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke, double stroke_width,
                std::string_view dash = {});
  /// `anchor`: start | middle | end. `rotate`: degrees around (x, y).
  void text(double x, double y, std::string_view content, double size = 12, std::string_view anchor = "start",
            double rotate = 0);

  double width() const noexcept { return width_; }
  double height() const noexcept { return height_; }
  std::string str() const;
  /// Writes str() to `path`; penumbra::Error naming the file when that fails.
  void save(const std::filesystem::path& path) const;

 private:
  double width_, height_;
  std::string body_;
};

}  // namespace penumbra::prof
