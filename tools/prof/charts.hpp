#pragma once
// The three chart kinds penumbra-prof draws (lines, bars, heat map), on an epoch x axis.
#include <string>
#include <vector>

#include "svg.hpp"

namespace penumbra::prof {

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;  ///< one per x
  std::string dash;            ///< SVG stroke-dasharray, empty for solid
};

/// Lines over `x` (epoch numbers), y from 0 to the largest value.
SvgDocument line_chart(const std::string& title, const std::string& y_label, const std::vector<double>& x,
                       const std::vector<Series>& series);
/// One bar per x; `tooltips` (optional, one per x) shown on hover.
SvgDocument bar_chart(const std::string& title, const std::string& y_label, const std::vector<double>& x,
                      const Series& bars, const std::vector<std::string>& tooltips = {});
/// `cells[row][column]`, rows labelled `row_label` 0..n-1, columns by `x`; white (0) to dark red (max).
SvgDocument heat_map(const std::string& title, const std::string& row_label, const std::vector<double>& x,
                     const std::vector<std::vector<double>>& cells);

}  // namespace penumbra::prof
