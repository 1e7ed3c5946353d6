#include "shadow/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "penumbra/errors.hpp"
#include "shadow/budget.hpp"

namespace penumbra::shadow {
namespace {

// Re-placement rounds after budget evictions. Each round only removes (object, rank) pairs, so the plan is
// final after the last round's budget fit whatever happens; 4 rounds let an evicted copy land elsewhere and
// the ranks that receive it settle.
constexpr int kPlacementRounds = 4;

bool by_id_then_rank(const ShadowPlacement& a, const ShadowPlacement& b) {
  return a.id != b.id ? a.id < b.id : a.rank < b.rank;
}

}  // namespace

ShadowDecision plan_shadows(std::span<const ObjectAccess> objects, const Topology& topology,
                            std::span<const RankState> ranks, const CostModel& costs, const ShadowOptions& options) {
  options.validate();
  const int rank_count = topology.rank_count();
  validate_rank_states(ranks, rank_count);
  std::unordered_set<ObjectId> ids;
  for (const ObjectAccess& access : objects) {
    validate_access(access, rank_count);
    if (!ids.insert(access.id).second)
      throw InvalidArgument(fmt::format("shadow policy: object {} is listed twice", to_string(access.id)));
  }
  const CostTable table(topology, costs);
  const std::vector<std::uint64_t> budgets = effective_budgets(ranks, options);

  std::vector<ObjectValue> models;
  models.reserve(objects.size());
  for (const ObjectAccess& access : objects) models.emplace_back(access, table, options);
  std::vector<ObjectPlacement> placements(objects.size());
  std::vector<std::vector<int>> excluded(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i)
    placements[i] = place_object(objects[i], models[i], ranks, budgets, options);

  // evicted[i]: the chosen copies of object i that its holder's budget refused in the last fit.
  std::vector<std::vector<int>> evicted(objects.size());
  for (int round = 1;; ++round) {
    struct Entry {
      std::size_t object;
      std::size_t copy;
    };
    std::vector<std::vector<BudgetCandidate>> candidates(static_cast<std::size_t>(rank_count));
    std::vector<std::vector<Entry>> entries(static_cast<std::size_t>(rank_count));
    for (std::size_t i = 0; i < objects.size(); ++i)
      for (std::size_t c = 0; c < placements[i].chosen.size(); ++c) {
        const ShadowPlacement& copy = placements[i].chosen[c];
        const auto r = static_cast<std::size_t>(copy.rank);
        candidates[r].push_back({copy.id, copy.value_us, copy.size_bytes, copy.existing});
        entries[r].push_back({i, c});
      }
    for (auto& list : evicted) list.clear();
    bool any_evicted = false;
    for (std::size_t r = 0; r < candidates.size(); ++r) {
      const BudgetFit fit = fit_budget(candidates[r], budgets[r], options.hysteresis_us);
      for (std::size_t index : fit.evicted) {
        evicted[entries[r][index].object].push_back(static_cast<int>(r));
        any_evicted = true;
      }
    }
    if (!any_evicted || round == kPlacementRounds) break;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      if (evicted[i].empty()) continue;
      excluded[i].insert(excluded[i].end(), evicted[i].begin(), evicted[i].end());
      placements[i] = place_object(objects[i], models[i], ranks, budgets, options, excluded[i]);
    }
  }

  ShadowDecision decision;
  decision.bytes_by_rank.assign(static_cast<std::size_t>(rank_count), 0);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    for (ShadowPlacement copy : placements[i].chosen) {
      if (std::ranges::find(evicted[i], copy.rank) != evicted[i].end()) {
        if (copy.existing) {
          copy.reason = DropReason::over_budget;
          decision.drop.push_back(copy);
        }
        continue;
      }
      decision.bytes_by_rank[static_cast<std::size_t>(copy.rank)] += copy.size_bytes;
      (copy.existing ? decision.keep : decision.create).push_back(copy);
    }
    decision.drop.insert(decision.drop.end(), placements[i].dropped.begin(), placements[i].dropped.end());
  }
  std::ranges::sort(decision.create, by_id_then_rank);
  std::ranges::sort(decision.keep, by_id_then_rank);
  std::ranges::sort(decision.drop, by_id_then_rank);
  return decision;
}

}  // namespace penumbra::shadow
