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

/// Replaces an object's predicted_cost (seconds per epoch of `steps_per_epoch` steps) by the travelling-load
/// forecast where that was chosen, and shifts its owner's predicted_load by the same change (the rank's
/// background work is unchanged). The graph is the objects' edges. `horizon`: the steps the per-object forecasts
/// cover. Returns how many objects now follow a leader. Throws as forecast_travelling_loads.
std::size_t apply_travelling_forecasts(balance::EpochInput& input, const std::vector<std::vector<double>>& recent,
                                       double steps_per_epoch, int horizon);

}  // namespace penumbra::rebalance
