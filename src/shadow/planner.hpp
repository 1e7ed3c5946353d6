#pragma once
// The shadow Planner the runtime hands to ShadowManager::run_epoch: the pure policy (eligibility and
// placement, docs/shadow-policy.md) applied by each owner to its own objects. Budgets are then enforced by
// the holders, which admit proposals by value per byte (ShadowManager), so no rank needs every object.
#include <optional>
#include <unordered_map>
#include <vector>

#include "penumbra/config.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/topology.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/shadow_manager.hpp"

namespace penumbra::shadow {

/// Reads by rank and writes of each owned object in the previous epoch window: the trend term's input.
struct WindowCounts {
  std::vector<double> reads_by_rank;
  double writes = 0.0;
};
using ReadHistory = std::unordered_map<ObjectId, WindowCounts>;

/// The configured policy for the owner `self`. `history` (kept by the caller across epochs) is read for the
/// trend and replaced by this window's counts each time the planner runs. Reads from an owner cost the
/// two-sided service time (kTwoSidedOwnerService) on top of the one-sided time of the topology (measured when
/// the latency probe ran, ENVIRONMENT.md's figures otherwise).
/// `dependents`: how many tasks read each object in the window (the task scheduler's count), which raises its
/// value (ShadowOptions::dependency_weight); objects not in it have none. Kept by reference: it must outlive
/// the planner. `measured_push_us`: what one push (a version to one holder) has cost this owner so far
/// (ShadowManager::measured_push_us); when larger than the model's fixed propagation cost it replaces it, so
/// that where flushes are dear (oversubscribed ranks yield in them) write-hot objects lose their copies.
/// `observed`: every rank's measured read costs (ShadowManager::observed_read_cost, gathered), which raise the
/// modelled read times of that reader (empty: the model alone).
Planner make_planner(const Config& config, const Topology& topology, int self, ReadHistory& history,
                     const std::unordered_map<ObjectId, std::int64_t>& dependents,
                     std::optional<double> measured_push_us = std::nullopt,
                     std::vector<ObservedReadCost> observed = {});

}  // namespace penumbra::shadow
