#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "affinity/affinity_context.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

using affinity::Context;

// Shares of o's accesses (count, and bytes) that come from `rank`; both in [0, 1].
double locality(const AffinityObject& object, int rank) {
  std::uint64_t all = 0, all_bytes = 0, from = 0, from_bytes = 0;
  for (const RankAccesses& access : object.accesses) {
    all += access.accesses;
    all_bytes += access.bytes;
    if (access.rank == rank) {
      from = access.accesses;
      from_bytes = access.bytes;
    }
  }
  const double count_share = all > 0 ? static_cast<double>(from) / static_cast<double>(all) : 0.0;
  if (all_bytes == 0) return count_share;
  const double byte_share = static_cast<double>(from_bytes) / static_cast<double>(all_bytes);
  return all > 0 ? 0.5 * (count_share + byte_share) : byte_share;
}

double dependency(const Context& context, const AffinityObject& object, int rank, double shadow_credit) {
  double held = 0.0;
  std::size_t known = 0;
  for (ObjectId dependency : object.dependencies) {
    if (dependency == object.id) continue;
    auto found = context.locations.find(dependency);
    if (found == context.locations.end()) continue;  // placement unknown: no evidence either way
    ++known;
    const affinity::Location& location = found->second;
    if (location.owner == rank)
      held += 1.0;
    else if (location.shadows && std::ranges::find(*location.shadows, rank) != location.shadows->end())
      held += shadow_credit;
  }
  return known > 0 ? held / static_cast<double>(known) : 0.0;
}

RankScore score(const Context& context, const AffinityOptions& options, const AffinityObject& object, int rank) {
  const int owner = object.owner;
  const bool stays = rank == owner;
  AffinityTerms terms;
  terms.locality = locality(object, rank);
  terms.dependency = dependency(context, object, rank, options.shadow_credit);
  // Time terms in fractions of an average rank's epoch (context.scale); off when no rank has any load.
  const double time_on_owner = object.cost_seconds;
  const double time_on_rank = object.cost_seconds * context.speed[owner] / context.speed[rank];
  if (context.scale > 0.0) {
    terms.processing = (time_on_owner - time_on_rank) / context.scale;
    const double load_after = context.load[rank] + (stays ? 0.0 : time_on_rank);
    terms.headroom = std::clamp((context.reference[rank] - load_after) / context.scale, -1.0, 1.0);
    if (!stays) {
      const double seconds =
          static_cast<double>(object.size_bytes) / context.bandwidth(owner, rank, options.default_bandwidth);
      terms.migration = seconds / context.scale;
    }
  }
  if (!context.max_proximity_cost.empty()) {
    const double farthest = context.max_proximity_cost[owner];
    terms.proximity = farthest > 0.0 ? 1.0 - context.proximity_cost(owner, rank) / farthest : 1.0;
  }
  const double total = options.locality_weight * terms.locality + options.dependency_weight * terms.dependency +
                       options.processing_weight * terms.processing + options.headroom_weight * terms.headroom +
                       options.proximity_weight * terms.proximity - options.migration_weight * terms.migration;
  return RankScore{rank, total, terms};
}

std::vector<int> candidates(const Context& context, const AffinityOptions& options, const AffinityObject& object) {
  std::vector<int> ranks;
  if (context.ranks <= options.full_scan_ranks) {
    ranks.resize(static_cast<std::size_t>(context.ranks));
    for (int p = 0; p < context.ranks; ++p) ranks[p] = p;
    return ranks;
  }
  ranks.push_back(object.owner);
  for (const RankAccesses& access : object.accesses) ranks.push_back(access.rank);
  for (ObjectId dependency : object.dependencies) {
    auto found = context.locations.find(dependency);
    if (found == context.locations.end()) continue;
    ranks.push_back(found->second.owner);
    if (found->second.shadows) ranks.insert(ranks.end(), found->second.shadows->begin(), found->second.shadows->end());
  }
  ranks.insert(ranks.end(), context.least_loaded.begin(), context.least_loaded.end());
  std::ranges::sort(ranks);
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  return ranks;
}

// Best first. Scores equal to rounding are ties: the owner first (staying is free), then the rank nearer
// to the owner, then the lower rank, so that every rank computing this gets the same order.
struct BetterFirst {
  const Context& context;
  int owner;
  bool operator()(const RankScore& a, const RankScore& b) const {
    const double tolerance = 1e-12 * std::max({1.0, std::abs(a.score), std::abs(b.score)});
    if (std::abs(a.score - b.score) > tolerance) return a.score > b.score;
    if ((a.rank == owner) != (b.rank == owner)) return a.rank == owner;
    const double da = context.proximity_cost(owner, a.rank), db = context.proximity_cost(owner, b.rank);
    if (da != db) return da < db;
    return a.rank < b.rank;
  }
};

std::vector<RankScore> scores(const Context& context, const AffinityOptions& options, const AffinityObject& object) {
  std::vector<RankScore> result;
  for (int rank : candidates(context, options, object)) result.push_back(score(context, options, object, rank));
  return result;
}

}  // namespace

AffinityCalculator::AffinityCalculator(AffinityOptions options) : options_(options) { options_.validate(); }

std::vector<Affinity> AffinityCalculator::compute(const AffinityInput& input) const {
  const Context context(input, options_);
  std::vector<Affinity> result;
  result.reserve(input.objects.size());
  for (const AffinityObject& object : input.objects) {
    const std::vector<RankScore> candidates = scores(context, options_, object);
    const BetterFirst better{context, object.owner};
    Affinity affinity;
    affinity.id = object.id;
    affinity.owner = object.owner;
    const RankScore* best_other = nullptr;
    for (const RankScore& candidate : candidates) {
      if (candidate.rank == object.owner)
        affinity.owner_score = candidate.score;
      else if (best_other == nullptr || better(candidate, *best_other))
        best_other = &candidate;
    }
    affinity.preferred_rank = object.owner;
    affinity.score = affinity.owner_score;
    if (best_other != nullptr) {
      affinity.best_other_rank = best_other->rank;
      affinity.best_other_score = best_other->score;
      // Hysteresis: move only for a clear gain, or objects near a tie would bounce between epochs.
      if (best_other->score > affinity.owner_score + options_.margin) {
        affinity.preferred_rank = best_other->rank;
        affinity.score = best_other->score;
      }
    }
    result.push_back(affinity);
  }
  return result;
}

std::vector<RankScore> AffinityCalculator::explain(const AffinityInput& input, std::size_t index) const {
  if (index >= input.objects.size())
    throw InvalidArgument(fmt::format("object index {} (the input has {} objects)", index, input.objects.size()));
  const Context context(input, options_);
  const AffinityObject& object = input.objects[index];
  std::vector<RankScore> result = scores(context, options_, object);
  std::ranges::sort(result, BetterFirst{context, object.owner});
  return result;
}

}  // namespace penumbra
