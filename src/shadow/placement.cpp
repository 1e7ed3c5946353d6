#include "shadow/placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "penumbra/errors.hpp"

namespace penumbra::shadow {
namespace {

bool contains(std::span<const int> ranks, int rank) { return std::ranges::find(ranks, rank) != ranks.end(); }

}  // namespace

void validate_rank_states(std::span<const RankState> ranks, int rank_count) {
  if (ranks.size() != static_cast<std::size_t>(rank_count))
    throw InvalidArgument(
        fmt::format("shadow policy: {} rank states (expected one per rank: {})", ranks.size(), rank_count));
  for (std::size_t r = 0; r < ranks.size(); ++r)
    if (!(ranks[r].load_headroom >= 0.0) || !std::isfinite(ranks[r].load_headroom))
      throw InvalidArgument(fmt::format("shadow policy: rank {}: load_headroom = {} (expected a finite value >= 0)", r,
                                        ranks[r].load_headroom));
}

std::vector<std::uint64_t> effective_budgets(std::span<const RankState> ranks, const ShadowOptions& options) {
  std::vector<std::uint64_t> budgets(ranks.size(), 0);
  if (!options.enabled) return budgets;
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    budgets[r] = static_cast<std::uint64_t>(options.budget_bytes);
    if (ranks[r].budget_bytes) budgets[r] = std::min(budgets[r], *ranks[r].budget_bytes);
  }
  return budgets;
}

std::string_view to_string(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::none:
      return "none";
    case DropReason::low_value:
      return "low value";
    case DropReason::outranked:
      return "outranked";
    case DropReason::over_budget:
      return "over budget";
    case DropReason::holder_is_owner:
      return "holder is owner";
    case DropReason::disabled:
      return "disabled";
  }
  return "?";
}

ObjectPlacement place_object(const ObjectAccess& access, const CostTable& costs, std::span<const RankState> ranks,
                             std::span<const std::uint64_t> budget_by_rank, const ShadowOptions& options,
                             std::span<const int> excluded) {
  return place_object(access, ObjectValue(access, costs, options), ranks, budget_by_rank, options, excluded);
}

ObjectPlacement place_object(const ObjectAccess& access, const ObjectValue& model, std::span<const RankState> ranks,
                             std::span<const std::uint64_t> budget_by_rank, const ShadowOptions& options,
                             std::span<const int> excluded) {
  ObjectPlacement placement;
  const auto drop = [&](int rank, double value, DropReason reason) {
    placement.dropped.push_back({access.id, rank, value, access.size_bytes, true, reason});
  };
  if (!options.enabled) {
    for (int holder : access.holders) drop(holder, 0.0, DropReason::disabled);
    return placement;
  }
  const auto placeable = [&](int rank) {
    return !contains(excluded, rank) && access.size_bytes <= budget_by_rank[static_cast<std::size_t>(rank)];
  };

  // Candidates: the heaviest readers (ties by rank), then the current holders not among them.
  std::vector<ObjectValue::Reader> heaviest = model.readers();
  std::ranges::stable_sort(heaviest,
                           [](const auto& a, const auto& b) { return a.predicted_reads > b.predicted_reads; });
  if (heaviest.size() > static_cast<std::size_t>(options.max_candidates))
    heaviest.resize(static_cast<std::size_t>(options.max_candidates));
  std::vector<int> candidates;
  for (const auto& reader : heaviest)
    if (placeable(reader.rank)) candidates.push_back(reader.rank);
  for (int holder : access.holders) {
    if (holder == access.owner)
      drop(holder, 0.0, DropReason::holder_is_owner);
    else if (!placeable(holder))
      drop(holder, model.terms_with(holder, {}).value_us(), DropReason::over_budget);
    else if (!contains(candidates, holder))
      candidates.push_back(holder);
  }

  std::vector<double> nearest = model.nearest_read_us({});
  std::vector<std::vector<double>> times(candidates.size());  // read times to each candidate, asked up to k times
  for (std::size_t c = 0; c < candidates.size(); ++c) times[c] = model.read_us_from(candidates[c]);
  std::vector<int> chosen;
  const auto limit = std::min<std::size_t>(static_cast<std::size_t>(options.max_copies), candidates.size());
  while (chosen.size() < limit) {
    std::size_t best = candidates.size();
    double best_score = 0.0;
    double best_value = 0.0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const int rank = candidates[c];
      if (contains(chosen, rank)) continue;
      const ValueTerms terms = model.terms(rank, times[c], nearest);
      if (terms.read_saving_us <= 0.0) continue;  // a copy nobody reads faster is never worth holding
      const double value = terms.value_us();
      const double threshold = contains(access.holders, rank) ? -options.hysteresis_us : options.min_value_us;
      if (value < threshold) continue;
      const double headroom = std::min(ranks[static_cast<std::size_t>(rank)].load_headroom, 1.0);
      const double score = (value - threshold) * (1.0 + options.headroom_weight * headroom);
      if (best == candidates.size() || score > best_score || (score == best_score && rank < candidates[best])) {
        best = c;
        best_score = score;
        best_value = value;
      }
    }
    if (best == candidates.size()) break;
    const int rank = candidates[best];
    chosen.push_back(rank);
    ObjectValue::add_copy(times[best], nearest);
    placement.chosen.push_back(
        {access.id, rank, best_value, access.size_bytes, contains(access.holders, rank), DropReason::none});
  }

  for (int holder : access.holders) {
    if (holder == access.owner || !placeable(holder) || contains(chosen, holder)) continue;
    const ValueTerms terms = model.terms_with(holder, chosen);
    const bool worthless = terms.read_saving_us <= 0.0 || terms.value_us() < -options.hysteresis_us;
    drop(holder, terms.value_us(), worthless ? DropReason::low_value : DropReason::outranked);
  }
  return placement;
}

}  // namespace penumbra::shadow
