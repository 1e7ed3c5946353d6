#include "predict/period.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace penumbra::predict {
namespace {

// Residuals of the least-squares line through (t, values[t]).
std::vector<double> detrended(std::span<const double> values) {
  const double n = static_cast<double>(values.size());
  const double mean_t = (n - 1.0) / 2.0;
  double mean_y = 0.0;
  for (double v : values) mean_y += v;
  mean_y /= n;
  double cov = 0.0, var_t = 0.0;
  for (std::size_t t = 0; t < values.size(); ++t) {
    const double dt = static_cast<double>(t) - mean_t;
    cov += dt * (values[t] - mean_y);
    var_t += dt * dt;
  }
  const double slope = var_t > 0.0 ? cov / var_t : 0.0;
  std::vector<double> residuals(values.size());
  for (std::size_t t = 0; t < values.size(); ++t)
    residuals[t] = values[t] - (mean_y + slope * (static_cast<double>(t) - mean_t));
  return residuals;
}

// Pearson correlation of x[0..n-k) with x[k..n); 0 when either side is constant.
double lag_correlation(const std::vector<double>& x, std::size_t k) {
  const std::size_t pairs = x.size() - k;
  double mean_a = 0.0, mean_b = 0.0;
  for (std::size_t i = 0; i < pairs; ++i) {
    mean_a += x[i];
    mean_b += x[i + k];
  }
  mean_a /= static_cast<double>(pairs);
  mean_b /= static_cast<double>(pairs);
  double cov = 0.0, var_a = 0.0, var_b = 0.0;
  for (std::size_t i = 0; i < pairs; ++i) {
    const double a = x[i] - mean_a, b = x[i + k] - mean_b;
    cov += a * b;
    var_a += a * a;
    var_b += b * b;
  }
  // Relative threshold: a series constant up to rounding has no period (and must not divide by ~0).
  const double scale = std::max(mean_a * mean_a, mean_b * mean_b) * static_cast<double>(pairs) * 1e-24;
  if (var_a <= scale || var_b <= scale) return 0.0;
  return cov / std::sqrt(var_a * var_b);
}

}  // namespace

std::size_t detect_period(std::span<const double> values, std::size_t max_period, double min_correlation) {
  const std::size_t n = values.size();
  const std::size_t last_lag = std::min(max_period, n / 2);
  if (last_lag < 2) return 0;
  const std::vector<double> x = detrended(values);
  // r[k] for k = 1 .. last_lag + 1 (the extra lag decides whether last_lag is a peak), while >= 2 pairs.
  const std::size_t top = std::min(last_lag + 1, n - 2);
  std::vector<double> r(top + 1, 0.0);
  for (std::size_t k = 1; k <= top; ++k) r[k] = lag_correlation(x, k);

  std::vector<std::size_t> candidates;
  double best = 0.0;
  for (std::size_t k = 2; k <= last_lag; ++k) {
    const bool rises = r[k] > r[k - 1];
    const bool peak = k + 1 > top || r[k] >= r[k + 1];
    if (rises && peak && r[k] >= min_correlation) {
      candidates.push_back(k);
      best = std::max(best, r[k]);
    }
  }
  for (std::size_t k : candidates)
    if (r[k] >= 0.9 * best) return k;
  return 0;
}

}  // namespace penumbra::predict
