#include "shadow/planner.hpp"

#include <algorithm>

namespace penumbra::shadow {

// Interim cost-benefit rule until the full policy (eligibility, placement, budget) lands: a holder is worth a
// copy when the reads it would serve locally save more time than pushing the object's writes costs.
Planner make_planner(const Config& config, const Topology& topology, int self) {
  const auto max_copies = static_cast<std::size_t>(config.shadow.max_copies);
  return [max_copies, &topology, self](std::span<const OwnedObjectStats> objects) {
    std::vector<DesiredShadow> desired;
    for (const OwnedObjectStats& object : objects) {
      const double kib = static_cast<double>(object.size_bytes) / 1024.0;
      const double remote_us = 5.0 + 0.05 * kib, local_us = 0.1 + 0.01 * kib, push_us = 10.0 + 0.02 * kib;
      std::vector<DesiredShadow> candidates;
      for (int rank = 0; rank < static_cast<int>(object.reads_by_rank.size()); ++rank) {
        if (rank == self) continue;
        const double value =
            object.reads_by_rank[static_cast<std::size_t>(rank)] * (remote_us - local_us) - object.writes * push_us;
        if (value > 0) candidates.push_back({object.id, rank, value});
      }
      std::sort(candidates.begin(), candidates.end(), [&](const DesiredShadow& a, const DesiredShadow& b) {
        if (a.value_us != b.value_us) return a.value_us > b.value_us;
        return topology.proximity(self, a.holder) < topology.proximity(self, b.holder) ||
               (topology.proximity(self, a.holder) == topology.proximity(self, b.holder) && a.holder < b.holder);
      });
      if (candidates.size() > max_copies) candidates.resize(max_copies);
      desired.insert(desired.end(), candidates.begin(), candidates.end());
    }
    return desired;
  };
}

}  // namespace penumbra::shadow
