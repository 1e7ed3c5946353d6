#include "tasks/placement.hpp"

#include <algorithm>
#include <limits>

namespace penumbra::tasks {

double counted_cost(double cost_hint_s) noexcept { return cost_hint_s > 0.0 ? cost_hint_s : 1e-6; }

bool holds(const PlacementView& view, int rank, ObjectId object) {
  if (view.owner_of(object) == rank) return true;
  if (!view.holders) return false;
  const auto found = view.holders->find(object);
  return found != view.holders->end() && std::binary_search(found->second.begin(), found->second.end(), rank);
}

int place_task(const TaskShape& task, const PlacementView& view, std::vector<double>& placed_cost) {
  placed_cost.resize(static_cast<std::size_t>(view.ranks), 0.0);
  const auto load_of = [&](int rank) {
    const auto r = static_cast<std::size_t>(rank);
    return (r < view.predicted_load.size() ? view.predicted_load[r] : 0.0) + placed_cost[r];
  };
  int chosen = task.submitter;
  if (!task.writes.empty()) {
    chosen = view.owner_of(task.writes.front());
  } else if (!task.reads.empty()) {
    // Candidates: every rank that owns or shadows one of the reads (others have nothing local). Count how many
    // reads each would serve locally; the best coverage wins, then the lightest load, then the submitter, then
    // the lowest rank.
    std::vector<int> candidates;
    for (ObjectId object : task.reads) {
      candidates.push_back(view.owner_of(object));
      if (view.holders)
        if (auto found = view.holders->find(object); found != view.holders->end())
          candidates.insert(candidates.end(), found->second.begin(), found->second.end());
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::size_t best_coverage = 0;
    double best_load = std::numeric_limits<double>::infinity();
    for (int rank : candidates) {
      if (rank < 0 || rank >= view.ranks) continue;
      std::size_t coverage = 0;
      for (ObjectId object : task.reads) coverage += holds(view, rank, object) ? 1 : 0;
      const double load = load_of(rank);
      const bool better = coverage > best_coverage ||
                          (coverage == best_coverage &&
                           (load < best_load || (load == best_load && rank == task.submitter && chosen != rank)));
      if (better) {
        best_coverage = coverage;
        best_load = load;
        chosen = rank;
      }
    }
  }
  placed_cost[static_cast<std::size_t>(chosen)] += counted_cost(task.cost_hint_s);
  return chosen;
}

bool stealable_by(const TaskShape& task, int thief, const PlacementView& view) {
  if (!task.writes.empty()) return false;
  return std::all_of(task.reads.begin(), task.reads.end(),
                     [&](ObjectId object) { return holds(view, thief, object); });
}

std::vector<int> victims_for(int thief, std::span<const QueueState> queues) {
  std::vector<int> victims;
  for (int rank = 0; rank < static_cast<int>(queues.size()); ++rank)
    if (rank != thief && queues[static_cast<std::size_t>(rank)].stealable > 0.0) victims.push_back(rank);
  std::stable_sort(victims.begin(), victims.end(), [&](int a, int b) {
    return queues[static_cast<std::size_t>(a)].stealable > queues[static_cast<std::size_t>(b)].stealable;
  });
  return victims;
}

}  // namespace penumbra::tasks
