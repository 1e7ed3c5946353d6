// The one place that maps a strategy name to its implementation: adding a strategy is one file and one line
// here (STYLE.md, "services as plug-ins").
#include <fmt/format.h>

#include "balance/strategies.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {

std::vector<std::string> strategy_names() {
#ifdef PENUMBRA_WITH_ZOLTAN
  return {"static", "greedy", "refine", "predictive", "oracle", "zoltan"};
#else
  return {"static", "greedy", "refine", "predictive", "oracle"};
#endif
}

std::unique_ptr<Strategy> make_strategy(std::string_view name, const BalanceOptions& options,
                                        const AffinityOptions& affinity) {
  if (name == "static") return make_static_strategy();
  if (name == "greedy") return make_greedy_strategy();
  if (name == "refine") return make_refine_strategy();
  if (name == "predictive") return make_predictive_strategy(options, affinity, false);
  if (name == "oracle") return make_predictive_strategy(options, affinity, true);
#ifdef PENUMBRA_WITH_ZOLTAN
  if (name == "zoltan") return make_zoltan_strategy();
#endif
  throw InvalidArgument(
      fmt::format("unknown balance strategy '{}' (expected one of: {})", name, fmt::join(strategy_names(), ", ")));
}

}  // namespace penumbra::balance
