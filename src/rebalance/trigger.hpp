#pragma once
// When a rebalance epoch runs. Pure: the runtime feeds it the step number and the spread of predicted loads
// that one small allreduce per step produced, so every rank reaches the same answer without talking more.
#include <cstdint>
#include <string_view>

namespace penumbra::rebalance {

enum class Trigger : std::uint8_t { none, periodic, threshold, manual };

std::string_view to_string(Trigger trigger) noexcept;

/// Predicted loads over all ranks: their sum, their maximum and how many ranks.
struct LoadSpread {
  double sum = 0.0;
  double max = 0.0;
  int ranks = 0;
  double mean() const noexcept { return ranks > 0 ? sum / ranks : 0.0; }
  /// max / mean, 1 when nothing is loaded.
  double imbalance() const noexcept { return mean() > 0.0 ? max / mean() : 1.0; }
};

/// Steps after an epoch before a threshold epoch may follow: one step to measure what the moves did.
inline constexpr std::int64_t kThresholdEpochGap = 2;

/// Consecutive steps a spread must be over the threshold before it makes an epoch. One step over is what a
/// descheduled rank or one noisy measurement looks like on a shared node: on the `noise` and `trend` patterns
/// such single steps made threshold epochs that moved 3-14 objects for nothing and cost up to 13% of a run; a
/// real overload (a hotspot arriving) persists.
inline constexpr int kThresholdConfirmSteps = 2;

/// Whether one step's spread is over the threshold: the most loaded rank's load exceeds (1 + threshold) x the
/// mean, and the imbalance is worse than the last epoch left it (`reference`, trigger_reference) by more than half
/// the threshold: an overload that epoch could not fix (one object heavier than a rank's share) must not make
/// every other step an epoch. `reference` <= 1 when there was no epoch yet; infinity: never over.
bool over_threshold(double threshold, const LoadSpread& spread, double reference) noexcept;

/// The imbalance the threshold trigger measures later steps against after an epoch, in the trigger's own terms:
/// what it watched when the epoch ran (`watched`, max / mean of the loads it watches), times the relief the plan
/// projected (`projected` / `predicted`, both from the epoch's forecast). The watch and the plan see different
/// figures (a predictive trigger watches own-history forecasts, the plan also the travelling forecast; a reactive
/// one watches what it measured), so the plan's projection alone is the wrong bar: after an epoch whose forecast
/// saw a watched overload leaving and moved nothing, the watch still saw it, was over that bar at once and asked
/// for the same epoch again two steps later. `predicted` <= 0 or not finite: `projected`.
double trigger_reference(double watched, double predicted, double projected) noexcept;

/// `periodic` when `step` is a multiple of `epoch_every` (> 0), else `threshold` when the spread has been over
/// the threshold (over_threshold) for `steps_over` >= kThresholdConfirmSteps consecutive steps, this one
/// included, and at least kThresholdEpochGap steps passed since the last epoch. Else `none`.
Trigger decide_trigger(std::int64_t step, std::int64_t epoch_every, std::int64_t steps_since_last_epoch,
                       int steps_over) noexcept;

}  // namespace penumbra::rebalance
