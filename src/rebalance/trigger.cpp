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
                       std::int64_t steps_since_last_epoch, std::int64_t min_gap) {
  if (epoch_every > 0 && step % epoch_every == 0) return Trigger::periodic;
  if (steps_since_last_epoch >= min_gap && spread.mean() > 0.0 && spread.max > (1.0 + threshold) * spread.mean())
    return Trigger::threshold;
  return Trigger::none;
}

}  // namespace penumbra::rebalance
