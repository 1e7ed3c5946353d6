#include "rebalance/trigger.hpp"

#include <cmath>

namespace penumbra::rebalance {

std::string_view to_string(Trigger trigger) noexcept {
  switch (trigger) {
    case Trigger::none:
      return "none";
    case Trigger::periodic:
      return "periodic";
    case Trigger::threshold:
      return "threshold";
    case Trigger::manual:
      return "manual";
  }
  return "unknown";
}

bool over_threshold(double threshold, const LoadSpread& spread, double reference) noexcept {
  if (spread.mean() <= 0.0) return false;
  const double imbalance = spread.imbalance();
  return imbalance > 1.0 + threshold && imbalance > reference + 0.5 * threshold;
}

double trigger_reference(double watched, double predicted, double projected) noexcept {
  if (!(predicted > 0.0) || !std::isfinite(predicted) || !std::isfinite(watched)) return projected;
  return watched * projected / predicted;
}

Trigger decide_trigger(std::int64_t step, std::int64_t epoch_every, std::int64_t steps_since_last_epoch,
                       int steps_over) noexcept {
  if (epoch_every > 0 && step % epoch_every == 0) return Trigger::periodic;
  if (steps_since_last_epoch >= kThresholdEpochGap && steps_over >= kThresholdConfirmSteps) return Trigger::threshold;
  return Trigger::none;
}

}  // namespace penumbra::rebalance
