#include "rebalance/travelling_forecasts.hpp"

#include <algorithm>

#include "predict/travelling_load.hpp"

namespace penumbra::rebalance {
namespace {

// Objects of an assembled input are sorted by id.
std::optional<std::uint32_t> position_of(const balance::EpochInput& input, ObjectId id) {
  auto at = std::lower_bound(input.objects.begin(), input.objects.end(), id,
                             [](const balance::ObjectState& object, ObjectId value) { return object.id < value; });
  if (at == input.objects.end() || at->id != id) return std::nullopt;
  return static_cast<std::uint32_t>(at - input.objects.begin());
}

}  // namespace

std::vector<std::vector<double>> recent_costs_of(const balance::EpochInput& input, std::span<const ObjectRow> rows) {
  std::vector<std::vector<double>> recent(input.objects.size());
  for (const ObjectRow& row : rows)
    if (auto at = position_of(input, row.id)) {
      const std::size_t steps = std::min<std::size_t>(row.recent_steps, kRecentSteps);
      recent[*at].assign(row.recent.begin(), row.recent.begin() + static_cast<std::ptrdiff_t>(steps));
    }
  return recent;
}

std::vector<FollowerRow> travelling_forecasts_of(const balance::EpochInput& input,
                                                 const std::vector<std::vector<double>>& recent, double steps_per_epoch,
                                                 int horizon, int owner) {
  TravellingLoadInput travel;
  travel.recent = recent;
  travel.horizon = horizon;
  travel.neighbours.resize(input.objects.size());
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    for (const balance::Edge& edge : input.objects[i].edges)
      if (auto at = position_of(input, edge.other)) travel.neighbours[i].push_back(*at);
    travel.own_forecast.push_back(input.objects[i].predicted_cost / steps_per_epoch);
    if (owner >= 0 && input.objects[i].owner == owner) travel.targets.push_back(static_cast<std::uint32_t>(i));
  }
  std::vector<FollowerRow> rows;
  if (owner >= 0 && travel.targets.empty()) return rows;  // owns nothing: empty targets would mean all
  const std::vector<TravellingLoadForecast> forecasts = forecast_travelling_loads(travel);
  for (std::size_t i = 0; i < input.objects.size(); ++i)
    if (forecasts[i].leader)
      rows.push_back({.id = input.objects[i].id, .predicted_cost = forecasts[i].per_step * steps_per_epoch});
  return rows;
}

std::vector<FollowerRow> one_row_per_object(std::span<const ObjectId> owned, std::span<const FollowerRow> followers) {
  std::vector<FollowerRow> by_id(followers.begin(), followers.end());
  std::ranges::sort(by_id, {}, &FollowerRow::id);
  std::vector<FollowerRow> rows;
  rows.reserve(owned.size());
  for (ObjectId id : owned) {
    const auto follower = std::ranges::lower_bound(by_id, id, {}, &FollowerRow::id);
    const bool follows = follower != by_id.end() && follower->id == id;
    rows.push_back({.id = id, .predicted_cost = follows ? follower->predicted_cost : -1.0});
  }
  return rows;
}

std::size_t apply_follower_rows(balance::EpochInput& input, std::span<const FollowerRow> rows) {
  std::size_t applied = 0;
  for (const FollowerRow& row : rows) {
    if (row.predicted_cost < 0.0) continue;  // no leader: the object keeps its own forecast
    const auto at = position_of(input, row.id);
    if (!at) continue;
    balance::ObjectState& object = input.objects[*at];
    if (static_cast<std::size_t>(object.owner) >= input.ranks.size()) continue;
    balance::RankState& owner = input.ranks[static_cast<std::size_t>(object.owner)];
    owner.predicted_load = std::max(0.0, owner.predicted_load + row.predicted_cost - object.predicted_cost);
    object.predicted_cost = row.predicted_cost;
    ++applied;
  }
  return applied;
}

std::size_t apply_travelling_forecasts(balance::EpochInput& input, const std::vector<std::vector<double>>& recent,
                                       double steps_per_epoch, int horizon) {
  const std::vector<FollowerRow> rows = travelling_forecasts_of(input, recent, steps_per_epoch, horizon, -1);
  return apply_follower_rows(input, rows);
}

}  // namespace penumbra::rebalance
