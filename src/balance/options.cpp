#include <fmt/format.h>

#include "core/validate.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

void BalanceOptions::validate() const {
  const std::vector<std::string> known = balance::strategy_names();
  if (std::find(known.begin(), known.end(), strategy) == known.end())
    throw ConfigError("balance.strategy", strategy, fmt::format("one of: {}", fmt::join(known, ", ")));
  check::integer_in_range("balance.epoch_every", epoch_every, 0, 1'000'000'000);
  check::in_range_open_low("balance.threshold", threshold, 0.0, 100.0);
  check::in_range("balance.plan_target", plan_target, 0.0, 100.0);
  check::integer_in_range("balance.horizon", horizon, 1, 1000);
  check::in_range("balance.noise_sigmas", noise_sigmas, 0.0, 10.0);
}

}  // namespace penumbra
