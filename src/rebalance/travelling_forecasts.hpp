#pragma once
// The epoch's travelling-load forecast: every rank runs it on the same assembled snapshot (pure, so all get the
// same forecasts and so the same plan). An object whose load is seen coming from an upstream neighbour (a
// moving hotspot) is planned on that neighbour's past instead of its own; see predict/travelling_load.hpp.
#include <cstddef>
#include <span>
#include <vector>

#include "penumbra/balance.hpp"
#include "rebalance/epoch_rows.hpp"

namespace penumbra::rebalance {

/// Per object of `input` (same positions), the recent per-step costs its row carried (empty where no row
/// names it).
std::vector<std::vector<double>> recent_costs_of(const balance::EpochInput& input, std::span<const ObjectRow> rows);

/// An object planned on a leader's past: its new predicted cost, seconds per epoch. Trivially copyable: each
/// rank forecasts its own objects and the rows travel in one allgatherv.
struct FollowerRow {
  ObjectId id;
  double predicted_cost = 0.0;  ///< < 0: the object follows no leader and keeps its own forecast
};

/// One row per id of `owned`, in that order: the follower row for it where `followers` holds one, else a row
/// with predicted_cost -1. Lets each rank's count equal its object count, which every rank knows already.
std::vector<FollowerRow> one_row_per_object(std::span<const ObjectId> owned, std::span<const FollowerRow> followers);

/// The travelling-load forecasts of the objects `owner` owns (owner < 0: all), as rows for the objects that
/// follow a leader; every object's history serves as a leader. Costs in seconds per epoch of `steps_per_epoch`
/// steps; `horizon`: the steps the per-object forecasts cover. The graph is the objects' edges. Throws as
/// forecast_travelling_loads.
std::vector<FollowerRow> travelling_forecasts_of(const balance::EpochInput& input,
                                                 const std::vector<std::vector<double>>& recent, double steps_per_epoch,
                                                 int horizon, int owner);

/// Replaces each row's object's predicted_cost and shifts its owner's predicted_load by the same change (the
/// rank's background work is unchanged). Rows naming an object the input does not hold, and rows with a
/// negative cost (no leader), are skipped. Returns how many were applied.
std::size_t apply_follower_rows(balance::EpochInput& input, std::span<const FollowerRow> rows);

/// Both, for every object, in one process.
std::size_t apply_travelling_forecasts(balance::EpochInput& input, const std::vector<std::vector<double>>& recent,
                                       double steps_per_epoch, int horizon);

}  // namespace penumbra::rebalance
