#include <cmath>

#include "predict/least_squares.hpp"
#include "predict/models.hpp"

namespace penumbra::predict {

void ArModel::reset() {
  history_.clear();
  mean_ = intercept_ = 0.0;
  coefficients_.clear();
}

void ArModel::observe(double value) {
  history_.push(value);
  refit();
}

void ArModel::refit() {
  const auto y = history_.values();
  const std::size_t p = order_;
  const std::size_t n = y.size();
  // Rows t = p .. n-1 give n - p equations for p + 1 unknowns; ask for twice as many equations as unknowns
  // so that the fit is not just interpolating the noise.
  if (n < 3 * p + 2) {
    coefficients_.clear();
    intercept_ = 0.0;
    return;
  }
  double mean = 0.0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(n);
  double sum_squares = 0.0;
  for (double v : y) sum_squares += (v - mean) * (v - mean);
  // Ridge rows sqrt(lambda) e_j on the lag coefficients (not the intercept): lambda relative to the sum of
  // squares, which is about each lag column's squared norm, so ar_ridge is scale free.
  const double root_lambda = std::sqrt(ridge_ * sum_squares);
  const std::size_t cols = p + 1;
  const std::size_t data_rows = n - p;
  const std::size_t rows = data_rows + (root_lambda > 0.0 ? p : 0);
  std::vector<double> a(rows * cols, 0.0), b(rows, 0.0);
  for (std::size_t r = 0; r < data_rows; ++r) {
    const std::size_t t = r + p;
    a[r * cols] = 1.0;
    for (std::size_t j = 1; j <= p; ++j) a[r * cols + j] = y[t - j] - mean;
    b[r] = y[t] - mean;
  }
  if (root_lambda > 0.0)
    for (std::size_t j = 1; j <= p; ++j) a[(data_rows + j - 1) * cols + j] = root_lambda;
  const std::vector<double> x = solve_least_squares(std::move(a), std::move(b), rows, cols);
  mean_ = mean;
  intercept_ = x[0];
  coefficients_.assign(x.begin() + 1, x.end());
}

double ArModel::predict(int horizon) const {
  if (coefficients_.empty()) return history_.last();
  const auto y = history_.values();
  const std::size_t p = order_;
  // The last p centred values, newest last, extended by the forecasts as the recursion goes on.
  std::vector<double> centred(y.end() - static_cast<std::ptrdiff_t>(p), y.end());
  for (double& v : centred) v -= mean_;
  double next = 0.0;
  for (int step = 0; step < horizon; ++step) {
    next = intercept_;
    for (std::size_t j = 1; j <= p; ++j) next += coefficients_[j - 1] * centred[centred.size() - j];
    centred.push_back(next);
  }
  return mean_ + next;
}

}  // namespace penumbra::predict
