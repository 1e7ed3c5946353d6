#pragma once
// The shadow plan of one epoch: place every object's shadows, then fit every rank's budget, re-placing the
// copies a budget evicted. Pure and deterministic: every rank given the same snapshot computes the same plan.
#include <cstdint>
#include <span>
#include <vector>

#include "penumbra/shadow.hpp"
#include "penumbra/topology.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/eligibility.hpp"
#include "shadow/placement.hpp"

namespace penumbra::shadow {

/// What the mechanism must do. Each list is sorted by (id, rank).
struct ShadowDecision {
  std::vector<ShadowPlacement> create;       ///< new shadows
  std::vector<ShadowPlacement> keep;         ///< current shadows that stay
  std::vector<ShadowPlacement> drop;         ///< current shadows to release, each with its reason
  std::vector<std::uint64_t> bytes_by_rank;  ///< shadow bytes per rank after the plan (create + keep)
};

/// Plans the shadows of `objects` (one entry per object, ids unique) on the ranks of `topology`, with one
/// RankState per rank.
/// 1. Each object is placed by place_object (at most max_copies copies, on its readers, never its owner).
/// 2. Each rank keeps the proposed shadows worth the most per byte within its budget (fit_budget); the
///    rest are evicted, and the objects that lost a copy are placed again without that rank, up to a few
///    rounds. The values of copies chosen after an evicted one are then lower bounds (a copy is never worth
///    less when fewer copies exist).
/// Throws ConfigError for invalid options; InvalidArgument for invalid input, naming the value.
ShadowDecision plan_shadows(std::span<const ObjectAccess> objects, const Topology& topology,
                            std::span<const RankState> ranks, const CostModel& costs, const ShadowOptions& options);

}  // namespace penumbra::shadow
