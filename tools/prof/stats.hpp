#pragma once
// Numbers derived from one epoch record, shared by summary, compare, plot and replay so they agree.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "penumbra/trace.hpp"

namespace penumbra::prof {

/// max / mean of `loads`; 1 when all are 0, 0 for no loads.
double imbalance(const std::vector<double>& loads);
double max_of(const std::vector<double>& values);
double mean_of(const std::vector<double>& values);

struct EpochStats {
  std::int64_t epoch = 0;
  trace::Trigger trigger = trace::Trigger::periodic;
  double predicted_max = 0, predicted_mean = 0, actual_max = 0, actual_mean = 0;
  double imbalance = 0;            ///< of the actual loads
  double projected_imbalance = 0;  ///< of the plan's projected loads (0 when the plan has none)
  std::optional<double> prediction_error;
  std::size_t moves = 0;
  std::uint64_t bytes = 0;
  std::uint64_t shadows_created = 0, shadows_dropped = 0, shadow_hits = 0, shadow_misses = 0;
  std::uint64_t metadata_lookups = 0, metadata_updates = 0;
  std::array<double, trace::kPhaseCount> phase_seconds{};
  double epoch_seconds = 0;  ///< sum of the phases
};

EpochStats epoch_stats(const trace::EpochRecord& record);

std::vector<double> predicted_loads(const trace::EpochRecord& record);
std::vector<double> actual_loads(const trace::EpochRecord& record);

/// Sums and means over a whole run.
struct RunTotals {
  std::size_t epochs = 0;
  std::size_t moves = 0;
  std::uint64_t bytes = 0;
  std::uint64_t shadows_created = 0, shadows_dropped = 0, shadow_hits = 0, shadow_misses = 0;
  double mean_imbalance = 0;
  double mean_prediction_error = 0;  ///< over the epochs that have one
  std::size_t epochs_with_error = 0;
  std::array<double, trace::kPhaseCount> phase_seconds{};
  double epoch_seconds = 0;
};

RunTotals run_totals(const std::vector<EpochStats>& epochs);

}  // namespace penumbra::prof
