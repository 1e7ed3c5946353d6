#pragma once
// penumbra-prof replay: each recorded EpochInput through another strategy, offline (Charm++'s +LBSim idea),
// against what the recorded strategy decided. Pure: takes the Strategy object, so tests can pass their own.
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "penumbra/balance.hpp"
#include "penumbra/trace.hpp"

namespace penumbra::prof {

/// Predicted loads per rank after `moves`, all plans judged the same way: the input's predicted rank loads,
/// each moved object's predicted cost taken from its sender and given to its receiver.
std::vector<double> projected_loads(const balance::EpochInput& input, const std::vector<balance::PlannedMove>& moves);

/// Loads per rank after `moves` on the true next-epoch costs (`ObjectState::next_cost`): each object's next
/// cost on its owner after the moves. nullopt unless every object of the input has a next cost (>= 0): a run
/// that declared them (penumbra-bench-rebalance does, for every strategy) can judge any plan by what came next,
/// not by the forecast it was made on. Rank loads not carried by objects are not in it.
std::optional<std::vector<double>> true_loads(const balance::EpochInput& input,
                                              const std::vector<balance::PlannedMove>& moves);

/// Weighted absolute error of the input's forecasts against the true next costs: sum |predicted - next| /
/// sum next over the objects. nullopt as for true_loads, or when the next costs sum to 0.
std::optional<double> forecast_error(const balance::EpochInput& input);

struct ReplayRow {
  std::int64_t epoch = 0;
  double input_imbalance = 0;  ///< predicted max/mean before any move
  std::size_t recorded_moves = 0;
  std::uint64_t recorded_bytes = 0;
  double recorded_imbalance = 0;  ///< projected_loads() of the recorded plan
  std::size_t replayed_moves = 0;
  std::uint64_t replayed_bytes = 0;
  double replayed_imbalance = 0;
  std::size_t same_moves = 0;  ///< moves both plans make (same object, same destination)
  double plan_seconds = 0;     ///< the replayed strategy's decision time, measured here
  /// With true next costs recorded (true_loads): max/mean of the loads that came next, before any move, after
  /// the recorded plan and after the replayed one; and forecast_error.
  std::optional<double> true_input_imbalance, true_recorded_imbalance, true_replayed_imbalance, forecast_error;
  std::string error;  ///< non-empty when the strategy rejected the input
};

/// Replays every epoch of `trace` through `strategy`; `progress(done, total)` after each epoch.
std::vector<ReplayRow> replay(const trace::Trace& trace, const balance::Strategy& strategy,
                              const std::function<void(std::size_t, std::size_t)>& progress = {});

/// The per-epoch table and totals.
void print_replay(const trace::Trace& trace, std::string_view strategy, const std::vector<ReplayRow>& rows,
                  std::FILE* out);

}  // namespace penumbra::prof
