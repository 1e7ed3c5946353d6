#include <numeric>

#include "predict/models.hpp"
#include "predict/period.hpp"

namespace penumbra::predict {

void SeasonalModel::reset() {
  history_.clear();
  period_ = 0;
  level_ = trend_ = 0.0;
  season_.clear();
}

void SeasonalModel::observe(double value) {
  history_.push(value);
  refit();
}

// Detects the period on the kept history, then runs additive Holt-Winters over it from the start. A refit
// costs O(window x max_period) for the detection and O(window) for the smoothing; rerunning the smoothing
// over the window (instead of carrying state) keeps the model consistent when the detected period changes.
void SeasonalModel::refit() {
  const auto y = history_.values();
  period_ = detect_period(y, parameters_.max_period, parameters_.min_correlation);
  const std::size_t m = period_;
  if (m == 0) return;
  // Initial state from the first two periods: the level at the middle of period 1 is its mean, the trend
  // is the difference of the two period means over m, the seasonal terms are period 1 minus that line.
  const double mean1 = std::accumulate(y.begin(), y.begin() + m, 0.0) / static_cast<double>(m);
  const double mean2 = std::accumulate(y.begin() + m, y.begin() + 2 * m, 0.0) / static_cast<double>(m);
  double trend = (mean2 - mean1) / static_cast<double>(m);
  const double middle = (static_cast<double>(m) - 1.0) / 2.0;
  std::vector<double> season(y.size());
  for (std::size_t i = 0; i < m; ++i) season[i] = y[i] - (mean1 + (static_cast<double>(i) - middle) * trend);
  double level = mean1 + middle * trend;  // the line at t = m - 1
  const double alpha = parameters_.alpha, beta = parameters_.beta, gamma = parameters_.gamma;
  for (std::size_t t = m; t < y.size(); ++t) {
    const double previous = level;
    level = alpha * (y[t] - season[t - m]) + (1.0 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1.0 - beta) * trend;
    season[t] = gamma * (y[t] - level) + (1.0 - gamma) * season[t - m];
  }
  level_ = level;
  trend_ = trend;
  season_.assign(season.end() - static_cast<std::ptrdiff_t>(m), season.end());
}

double SeasonalModel::predict(int horizon) const {
  if (period_ == 0) return history_.last();
  const auto h = static_cast<std::size_t>(horizon);
  // season_ holds the terms of the last m epochs, oldest first; epoch t+h has the phase of the term
  // (h - 1) mod m of them.
  return level_ + static_cast<double>(horizon) * trend_ + season_[(h - 1) % period_];
}

}  // namespace penumbra::predict
