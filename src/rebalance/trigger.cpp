#include "rebalance/trigger.hpp"

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

Trigger decide_trigger(std::int64_t step, std::int64_t epoch_every, double threshold, const LoadSpread& spread,
                       std::int64_t steps_since_last_epoch, double projected_imbalance) {
  if (epoch_every > 0 && step % epoch_every == 0) return Trigger::periodic;
  if (steps_since_last_epoch < kThresholdEpochGap || spread.mean() <= 0.0) return Trigger::none;
  const double imbalance = spread.imbalance();
  if (imbalance > 1.0 + threshold && imbalance > projected_imbalance + 0.5 * threshold) return Trigger::threshold;
  return Trigger::none;
}

}  // namespace penumbra::rebalance
