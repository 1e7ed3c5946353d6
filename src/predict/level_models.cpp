// Models of a level without trend: persistence and the exponentially weighted moving average.
#include <algorithm>

#include "predict/models.hpp"

namespace penumbra::predict {

void PersistenceModel::observe(double value) {
  last_ = value;
  ++observations_;
}

double PersistenceModel::predict(int) const { return last_; }

EwmaModel::EwmaModel(std::vector<double> alphas, double discount) : discount_(discount) {
  for (double alpha : alphas) candidates_.push_back({alpha});
}

void EwmaModel::reset() {
  for (Candidate& c : candidates_) c = Candidate{c.alpha};
  best_ = 0;
  observations_ = 0;
}

void EwmaModel::observe(double value) {
  for (Candidate& c : candidates_) {
    if (observations_ == 0) {
      c.smoothed = value;
      continue;
    }
    const double error = value - c.smoothed;
    c.sse = discount_ * c.sse + error * error;
    c.smoothed += c.alpha * error;
  }
  ++observations_;
  best_ = 0;
  for (std::size_t i = 1; i < candidates_.size(); ++i)
    if (candidates_[i].sse < candidates_[best_].sse) best_ = i;
}

double EwmaModel::predict(int) const { return candidates_[best_].smoothed; }

}  // namespace penumbra::predict
