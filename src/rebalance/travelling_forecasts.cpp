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

std::size_t apply_travelling_forecasts(balance::EpochInput& input, const std::vector<std::vector<double>>& recent,
                                       double steps_per_epoch, int horizon) {
  TravellingLoadInput travel;
  travel.recent = recent;
  travel.horizon = horizon;
  travel.neighbours.resize(input.objects.size());
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    for (const balance::Edge& edge : input.objects[i].edges)
      if (auto at = position_of(input, edge.other)) travel.neighbours[i].push_back(*at);
    travel.own_forecast.push_back(input.objects[i].predicted_cost / steps_per_epoch);
  }
  const std::vector<TravellingLoadForecast> forecasts = forecast_travelling_loads(travel);
  std::size_t followed = 0;
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    if (!forecasts[i].leader || static_cast<std::size_t>(input.objects[i].owner) >= input.ranks.size()) continue;
    ++followed;
    balance::ObjectState& object = input.objects[i];
    const double cost = forecasts[i].per_step * steps_per_epoch;
    balance::RankState& owner = input.ranks[static_cast<std::size_t>(object.owner)];
    owner.predicted_load = std::max(0.0, owner.predicted_load + cost - object.predicted_cost);
    object.predicted_cost = cost;
  }
  return followed;
}

}  // namespace penumbra::rebalance
