#include "stats.hpp"

#include <algorithm>
#include <numeric>

namespace penumbra::prof {

double max_of(const std::vector<double>& values) { return values.empty() ? 0.0 : *std::ranges::max_element(values); }

double mean_of(const std::vector<double>& values) {
  return values.empty() ? 0.0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double imbalance(const std::vector<double>& loads) {
  if (loads.empty()) return 0.0;
  const double mean = mean_of(loads);
  return mean > 0.0 ? max_of(loads) / mean : 1.0;
}

std::vector<double> predicted_loads(const trace::EpochRecord& record) {
  std::vector<double> loads;
  for (const auto& rank : record.ranks) loads.push_back(rank.predicted_load);
  return loads;
}

std::vector<double> actual_loads(const trace::EpochRecord& record) {
  std::vector<double> loads;
  for (const auto& rank : record.ranks) loads.push_back(rank.actual_load);
  return loads;
}

EpochStats epoch_stats(const trace::EpochRecord& record) {
  EpochStats stats;
  stats.epoch = record.epoch;
  stats.trigger = record.trigger;
  const auto predicted = predicted_loads(record);
  const auto actual = actual_loads(record);
  stats.predicted_max = max_of(predicted);
  stats.predicted_mean = mean_of(predicted);
  stats.actual_max = max_of(actual);
  stats.actual_mean = mean_of(actual);
  stats.imbalance = imbalance(actual);
  stats.projected_imbalance = imbalance(record.plan.projected_load);
  stats.prediction_error = record.prediction_error;
  stats.moves = record.moves.size();
  for (const auto& move : record.moves) stats.bytes += move.bytes;
  for (const auto& rank : record.ranks) {
    stats.shadows_created += rank.shadows_created;
    stats.shadows_dropped += rank.shadows_dropped;
    stats.shadow_hits += rank.shadow_hits;
    stats.shadow_misses += rank.shadow_misses;
    stats.metadata_lookups += rank.metadata_lookups;
    stats.metadata_updates += rank.metadata_updates;
  }
  for (std::size_t i = 0; i < trace::kPhaseCount; ++i) {
    stats.phase_seconds[i] = record.phases[i].seconds;
    stats.epoch_seconds += record.phases[i].seconds;
  }
  return stats;
}

RunTotals run_totals(const std::vector<EpochStats>& epochs) {
  RunTotals totals;
  totals.epochs = epochs.size();
  double imbalance_sum = 0, error_sum = 0;
  for (const auto& e : epochs) {
    totals.moves += e.moves;
    totals.bytes += e.bytes;
    totals.shadows_created += e.shadows_created;
    totals.shadows_dropped += e.shadows_dropped;
    totals.shadow_hits += e.shadow_hits;
    totals.shadow_misses += e.shadow_misses;
    imbalance_sum += e.imbalance;
    if (e.prediction_error) {
      error_sum += *e.prediction_error;
      ++totals.epochs_with_error;
    }
    for (std::size_t i = 0; i < trace::kPhaseCount; ++i) totals.phase_seconds[i] += e.phase_seconds[i];
    totals.epoch_seconds += e.epoch_seconds;
  }
  if (!epochs.empty()) totals.mean_imbalance = imbalance_sum / static_cast<double>(epochs.size());
  if (totals.epochs_with_error > 0)
    totals.mean_prediction_error = error_sum / static_cast<double>(totals.epochs_with_error);
  return totals;
}

}  // namespace penumbra::prof
