#include "predict/models.hpp"

namespace penumbra::predict {

HoltModel::HoltModel(const std::vector<std::pair<double, double>>& parameters, double damping, double discount)
    : damping_(damping), discount_(discount) {
  for (const auto& [alpha, beta] : parameters) candidates_.push_back({alpha, beta});
}

void HoltModel::reset() {
  for (Candidate& c : candidates_) c = Candidate{c.alpha, c.beta};
  best_ = 0;
  observations_ = 0;
}

double HoltModel::damped_sum(int horizon) const {
  // phi + phi^2 + ... + phi^h; exactly h when phi = 1 (a line stays exact).
  if (damping_ == 1.0) return horizon;
  double sum = 0.0, power = 1.0;
  for (int i = 0; i < horizon; ++i) {
    power *= damping_;
    sum += power;
  }
  return sum;
}

void HoltModel::observe(double value) {
  ++observations_;
  for (Candidate& c : candidates_) {
    if (observations_ == 1) {
      c.level = value;
      c.trend = 0.0;
      continue;
    }
    if (observations_ == 2) {
      // Start the trend from the first difference (not 0): a line is then exact from here on, and a real
      // trend needs no warm-up of 1 / beta epochs.
      const double error = value - c.level;
      c.sse = error * error;
      c.trend = value - c.level;
      c.level = value;
      continue;
    }
    const double error = value - (c.level + damping_ * c.trend);
    c.sse = discount_ * c.sse + error * error;
    const double previous = c.level;
    c.level = c.alpha * value + (1.0 - c.alpha) * (c.level + damping_ * c.trend);
    c.trend = c.beta * (c.level - previous) + (1.0 - c.beta) * damping_ * c.trend;
  }
  best_ = 0;
  for (std::size_t i = 1; i < candidates_.size(); ++i)
    if (candidates_[i].sse < candidates_[best_].sse) best_ = i;
}

double HoltModel::predict(int horizon) const {
  const Candidate& c = candidates_[best_];
  return c.level + damped_sum(horizon) * c.trend;
}

}  // namespace penumbra::predict
