#include "predict/least_squares.hpp"

#include <fmt/format.h>

#include <cmath>

#include "penumbra/errors.hpp"

namespace penumbra::predict {

std::vector<double> solve_least_squares(std::vector<double> a, std::vector<double> b, std::size_t rows,
                                        std::size_t cols) {
  if (cols == 0 || rows < cols || a.size() != rows * cols || b.size() != rows)
    throw InvalidArgument(
        fmt::format("least squares: A has {} values for {} x {}, b has {} (expected rows >= "
                    "cols >= 1, A = rows x cols, b = rows)",
                    a.size(), rows, cols, b.size()));
  auto at = [&](std::size_t i, std::size_t j) -> double& { return a[i * cols + j]; };
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<double> diagonal(cols, 0.0);
  std::vector<std::size_t> pivot_row(cols, none);
  std::vector<double> v(rows);
  std::size_t row = 0;  // next pivot row: advances only past independent columns, so a dependent column
                        // does not take a row away from the columns after it
  for (std::size_t j = 0; j < cols && row < rows; ++j) {
    double column_norm = 0.0;
    for (std::size_t i = 0; i < rows; ++i) column_norm += at(i, j) * at(i, j);
    double norm = 0.0;
    for (std::size_t i = row; i < rows; ++i) norm += at(i, j) * at(i, j);
    norm = std::sqrt(norm);
    // What is left of the column after removing the earlier columns' directions: at rounding level, the
    // column is a combination of them and its coefficient is set to 0.
    if (norm <= 1e-10 * std::sqrt(column_norm) || norm == 0.0) continue;
    // Householder reflection H = I - 2 v v^T / (v^T v) mapping the column (rows row..) onto -sign * norm e_1.
    const double alpha = at(row, j) > 0.0 ? -norm : norm;
    for (std::size_t i = row; i < rows; ++i) v[i] = at(i, j);
    v[row] -= alpha;
    double vv = 0.0;
    for (std::size_t i = row; i < rows; ++i) vv += v[i] * v[i];
    auto reflect = [&](auto&& element) {
      double dot = 0.0;
      for (std::size_t i = row; i < rows; ++i) dot += v[i] * element(i);
      const double f = 2.0 * dot / vv;
      for (std::size_t i = row; i < rows; ++i) element(i) -= f * v[i];
    };
    for (std::size_t k = j + 1; k < cols; ++k) reflect([&](std::size_t i) -> double& { return at(i, k); });
    reflect([&](std::size_t i) -> double& { return b[i]; });
    diagonal[j] = alpha;
    pivot_row[j] = row++;
  }
  // Back substitution on R x = Q^T b; columns without a pivot keep x_j = 0.
  std::vector<double> x(cols, 0.0);
  for (std::size_t j = cols; j-- > 0;) {
    if (pivot_row[j] == none) continue;
    double sum = b[pivot_row[j]];
    for (std::size_t k = j + 1; k < cols; ++k) sum -= at(pivot_row[j], k) * x[k];
    x[j] = sum / diagonal[j];
  }
  return x;
}

}  // namespace penumbra::predict
