#pragma once
// The rows every rank contributes to a rebalance epoch's snapshot, and their assembly into the one
// balance::EpochInput all ranks plan on. Rows are trivially copyable so they travel as one allgatherv each;
// assembly is a pure function, so every rank builds the same input from the same rows (determinism is what
// lets each rank run the planner itself instead of waiting for a coordinator).
#include <array>
#include <cstdint>
#include <span>

#include "penumbra/balance.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::rebalance {

/// One rank's own figures (per step, averaged over the steps since the previous epoch).
struct RankRow {
  int node = 0;
  double measured_load = 0.0;
  double predicted_load = 0.0;
  double uncertainty = 0.0;
  double speed = 1.0;
};

/// Per-step costs an object row carries: what the travelling-load forecast backtests on (it needs its
/// `horizon` plus a lag plus a few pairs: 32 covers horizon 10 and lags up to 12), and what a moved object's
/// new owner replays into its predictor, so the series travels with the object.
inline constexpr std::size_t kRecentSteps = 32;

/// One object, contributed by its owner.
struct ObjectRow {
  ObjectId id;
  int owner = 0;
  std::uint64_t size_bytes = 0;
  double measured_cost = 0.0;
  double predicted_cost = 0.0;
  double next_cost = -1.0;
  std::uint32_t recent_steps = 0;                ///< how many of `recent` hold values
  std::array<double, kRecentSteps> recent = {};  ///< its last per-step costs on its owner, oldest first
};

/// Accesses rank `origin` made to object `id` during the window (contributed by the reading rank).
struct AccessRow {
  ObjectId id;
  int origin = 0;
  std::uint64_t accesses = 0;
  std::uint64_t bytes = 0;
};

/// Declared communication between two objects (contributed by whichever rank declared it).
struct EdgeRow {
  ObjectId from;
  ObjectId to;
  double bytes_per_step = 0.0;
};

/// Plan-wide parameters that are the same on every rank.
struct EpochParameters {
  std::int64_t epoch = 0;
  double steps_until_next_epoch = 1.0;
  double bandwidth_bytes_per_s = 1e9;
  double threshold = 0.2;
  double plan_target = 0.05;
};

/// The snapshot the planner reads. `ranks[r]` is rank r's row. Objects are sorted by id; accesses of the same
/// (object, origin) are summed; an edge is attached to both of its objects (communication is symmetric for
/// placement), summed over duplicates; accesses and edges naming an object nobody owns are dropped (it was
/// erased during the window). InvalidArgument naming the id if two ranks contribute the same object.
balance::EpochInput assemble_epoch_input(std::span<const RankRow> ranks, std::span<const ObjectRow> objects,
                                         std::span<const AccessRow> accesses, std::span<const EdgeRow> edges,
                                         const EpochParameters& parameters);

}  // namespace penumbra::rebalance
