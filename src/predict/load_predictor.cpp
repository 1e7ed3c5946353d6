#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/predict.hpp"

namespace penumbra {
namespace {

std::string describe(SeriesKey key) {
  return key.kind == SeriesKind::rank ? fmt::format("rank {}", key.id)
                                      : fmt::format("object {}", to_string(ObjectId{key.id}));
}

}  // namespace

SeriesKey rank_series(int rank) {
  if (rank < 0) throw InvalidArgument(fmt::format("rank = {} (expected >= 0)", rank));
  return {SeriesKind::rank, static_cast<std::uint64_t>(rank)};
}

SeriesKey object_series(ObjectId id) { return {SeriesKind::object, id.value}; }

LoadPredictor::LoadPredictor(PredictorOptions options) : options_(std::move(options)) { options_.validate(); }

LoadPredictor::Series LoadPredictor::new_series(int fed_by_rank) const {
  return Series{.ensemble = Ensemble(options_),
                .queued = 0.0,
                .fed_by_rank = fed_by_rank,
                .spikes = SpikeFilter(options_.spike_sigmas),
                .last_arrivals = 0.0};
}

void LoadPredictor::observe_series(Series& series, SeriesKey key, double executed, double queued) {
  check::finite_non_negative(fmt::format("executed load of {}", describe(key)), executed);
  check::finite_non_negative(fmt::format("queued work of {}", describe(key)), queued);
  // Arrivals = executed + growth of the queue. Clamped: cost hints are estimates, and a queue that shrinks
  // by more than was executed (hints above the real cost, cancelled tasks) must not make negative work.
  // The spike filter sees arrivals, not executed load: a backlog that drains makes executed load jump for real,
  // and clipping that would make the queue's accounting lose work.
  const double arrivals = series.spikes.filter(std::max(0.0, executed + queued - series.queued));
  series.last_arrivals = arrivals;
  series.ensemble.update(arrivals);
  series.queued = queued;
}

void LoadPredictor::observe(SeriesKey key, double executed, double queued) {
  auto found = series_.find(key);
  if (found == series_.end()) found = series_.emplace(key, new_series(-1)).first;
  observe_series(found->second, key, executed, queued);
}

void LoadPredictor::observe(const LoadSnapshot& snapshot) {
  const int rank = snapshot.rank.rank;
  const SeriesKey rank_key = rank_series(rank);
  // Check the whole snapshot first, so that a bad entry leaves every series as it was.
  check::finite_non_negative(fmt::format("executed load of {}", describe(rank_key)), snapshot.rank.busy_seconds);
  check::finite_non_negative(fmt::format("queued work of {}", describe(rank_key)), snapshot.rank.queued_cost);
  std::set<SeriesKey> seen;
  for (const ObjectLoad& object : snapshot.objects) {
    const SeriesKey key = object_series(object.id);
    if (!seen.insert(key).second)
      throw InvalidLoad(fmt::format("snapshot of rank {} lists {} twice", rank, describe(key)));
    check::finite_non_negative(fmt::format("executed load of {}", describe(key)), object.wall_seconds);
    check::finite_non_negative(fmt::format("queued work of {}", describe(key)), object.queued_cost);
  }
  observe(rank_key, snapshot.rank.busy_seconds, snapshot.rank.queued_cost);
  for (const ObjectLoad& object : snapshot.objects) {
    const SeriesKey key = object_series(object.id);
    auto found = series_.find(key);
    if (found == series_.end()) found = series_.emplace(key, new_series(rank)).first;
    found->second.fed_by_rank = rank;
    observe_series(found->second, key, object.wall_seconds, object.queued_cost);
  }
  // Objects this rank's snapshots fed before and absent now were idle this epoch.
  for (auto& [key, series] : series_)
    if (key.kind == SeriesKind::object && series.fed_by_rank == rank && !seen.contains(key))
      observe_series(series, key, 0.0, 0.0);
}

const LoadPredictor::Series& LoadPredictor::find(SeriesKey key) const {
  auto found = series_.find(key);
  if (found == series_.end()) throw InvalidLoad(fmt::format("no history for {} (never observed)", describe(key)));
  return found->second;
}

const Ensemble& LoadPredictor::ensemble(SeriesKey key) const { return find(key).ensemble; }

Forecast LoadPredictor::forecast(SeriesKey key, int horizon) const {
  if (horizon < 1) throw InvalidArgument(fmt::format("forecast horizon = {} (expected >= 1)", horizon));
  const Series& series = find(key);
  const Ensemble& ensemble = series.ensemble;
  Forecast result;
  result.horizon = horizon;
  result.queued = series.queued;
  result.arrivals = ensemble.forecast(horizon);
  result.load = result.arrivals + (horizon == 1 ? series.queued : 0.0);
  result.cumulative = series.queued;
  for (int k = 1; k <= horizon; ++k) {
    result.cumulative += ensemble.forecast(k);
    result.cumulative_uncertainty += ensemble.uncertainty(k);
  }
  result.uncertainty = ensemble.uncertainty(horizon);
  result.model = std::string(ensemble.chosen_name());
  result.observations = ensemble.observations();
  return result;
}

std::vector<std::pair<SeriesKey, Forecast>> LoadPredictor::forecast_all(SeriesKind kind, int horizon) const {
  std::vector<std::pair<SeriesKey, Forecast>> result;
  for (const auto& [key, series] : series_)
    if (key.kind == kind) result.emplace_back(key, forecast(key, horizon));
  return result;
}

}  // namespace penumbra
