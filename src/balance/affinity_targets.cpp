#include "balance/affinity_targets.hpp"

#include <algorithm>

namespace penumbra::balance {

void set_preferred_targets(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                           const AffinityCalculator& calculator, const std::vector<double>& excess,
                           DonorOffers& offers) {
  AffinityInput affinity;
  affinity.rank_count = static_cast<int>(input.ranks.size());
  affinity.predicted_load = view.load;
  if (std::ranges::any_of(view.uncertainty, [](double u) { return u > 0.0; }))
    affinity.load_uncertainty = view.uncertainty;
  if (std::ranges::any_of(input.ranks, [](const RankState& r) { return r.capacity > 0.0; }))
    affinity.capacity = view.reference;
  affinity.speed = view.speed;
  std::vector<std::uint32_t> neighbours;  // positions of dependencies, for their placements
  std::vector<Candidate*> scored;
  for (std::size_t k = 0; k < offers.candidates.size(); ++k) {
    double before = 0.0;
    for (std::size_t i = 0; i < offers.candidates[k].size() && before < excess[k]; ++i) {
      Candidate& c = offers.candidates[k][i];
      before += c.cost;
      const ObjectState& object = input.objects[c.object];
      const bool tied_elsewhere =
          !offers.neighbourhoods[k][i].external.empty() ||
          std::ranges::any_of(object.accesses, [&](const RankAccesses& a) { return a.rank != object.owner; });
      if (!tied_elsewhere) continue;
      scored.push_back(&c);
      AffinityObject entry{object.id, object.owner, object.size_bytes, view.cost[c.object], object.accesses, {}};
      entry.dependencies.reserve(object.edges.size());
      for (const Edge& edge : object.edges) {
        entry.dependencies.push_back(edge.other);
        if (const auto other = index.find(edge.other)) neighbours.push_back(static_cast<std::uint32_t>(*other));
      }
      affinity.objects.push_back(std::move(entry));
    }
  }
  if (affinity.objects.empty()) return;
  std::ranges::sort(neighbours);
  neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
  affinity.placements.reserve(neighbours.size());
  for (std::uint32_t n : neighbours) affinity.placements.push_back({input.objects[n].id, input.objects[n].owner, {}});
  const std::vector<Affinity> result = calculator.compute(affinity);
  for (std::size_t i = 0; i < scored.size(); ++i) scored[i]->preferred = result[i].best_other_rank;
}

}  // namespace penumbra::balance
