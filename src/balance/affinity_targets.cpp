#include "balance/affinity_targets.hpp"

#include <algorithm>

namespace penumbra::balance {

void set_preferred_targets(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                           const AffinityCalculator& calculator, DonorOffers& offers) {
  AffinityInput affinity;
  affinity.rank_count = static_cast<int>(input.ranks.size());
  affinity.predicted_load = view.load;
  if (std::ranges::any_of(view.uncertainty, [](double u) { return u > 0.0; }))
    affinity.load_uncertainty = view.uncertainty;
  if (std::ranges::any_of(input.ranks, [](const RankState& r) { return r.capacity > 0.0; }))
    affinity.capacity = view.reference;
  affinity.speed = view.speed;
  std::vector<std::uint32_t> neighbours;  // positions of dependencies, for their placements
  for (const auto& candidates : offers.candidates)
    for (const Candidate& c : candidates) {
      const ObjectState& object = input.objects[c.object];
      AffinityObject entry{object.id, object.owner, object.size_bytes, view.cost[c.object], object.accesses, {}};
      entry.dependencies.reserve(object.edges.size());
      for (const Edge& edge : object.edges) {
        entry.dependencies.push_back(edge.other);
        if (const auto other = index.find(edge.other)) neighbours.push_back(static_cast<std::uint32_t>(*other));
      }
      affinity.objects.push_back(std::move(entry));
    }
  if (affinity.objects.empty()) return;
  std::ranges::sort(neighbours);
  neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
  affinity.placements.reserve(neighbours.size());
  for (std::uint32_t n : neighbours) affinity.placements.push_back({input.objects[n].id, input.objects[n].owner, {}});
  const std::vector<Affinity> result = calculator.compute(affinity);
  std::size_t next = 0;
  for (auto& candidates : offers.candidates)
    for (Candidate& c : candidates) c.preferred = result[next++].best_other_rank;
}

}  // namespace penumbra::balance
