#pragma once
// Where a task runs, and which queued tasks an idle rank may take. Pure functions over plain data: the
// scheduler gathers the inputs (owners, shadow holders, predicted loads) and carries the decisions out.
//
// The rules (docs/tasks.md):
// - a task that writes runs at the owner of its first written object: its writes are then local stores, and
//   the object's measured cost stays with the object, where the rebalancer can move it;
// - a read-only task runs on a rank where the most of its read bytes are local (owned or shadowed there);
//   among equally good ranks, the one with the least predicted load plus the work already placed on it this
//   round; the submitter last, as a stable tie-break;
// - only read-only tasks are stolen, and only by a rank that holds (owns or shadows) everything they read.
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra::tasks {

/// Which ranks hold a shadow of each object (sorted, the owner not included). Replicated on every rank at each
/// shadow epoch.
using HolderTable = std::unordered_map<ObjectId, std::vector<int>>;

/// What placement sees of the job.
struct PlacementView {
  int ranks = 1;
  std::function<int(ObjectId)> owner_of;
  const HolderTable* holders = nullptr;     ///< null: no shadows
  std::span<const double> predicted_load;  ///< per rank, seconds per step (empty: all equal)
};

/// The parts of a task placement looks at.
struct TaskShape {
  std::span<const ObjectId> reads;
  std::span<const ObjectId> writes;
  double cost_hint_s = 0.0;
  int submitter = 0;
};

/// Whether `rank` owns or shadows `object`.
bool holds(const PlacementView& view, int rank, ObjectId object);

/// The rank that should run `task`. `placed_cost` (per rank, updated) is the work placed so far this round,
/// so a batch of equal tasks spreads over equally good ranks instead of piling on the first.
int place_task(const TaskShape& task, const PlacementView& view, std::vector<double>& placed_cost);

/// Whether `thief` may run `task` instead of the rank that queued it: read-only, and everything it reads is
/// owned or shadowed at the thief.
bool stealable_by(const TaskShape& task, int thief, const PlacementView& view);

/// What each rank has left to run at the start of a round's execution.
struct QueueState {
  double queued_cost = 0.0;   ///< cost hints of the queued tasks (a task without a hint counts 1 us)
  double stealable = 0.0;     ///< of that, the read-only tasks' share
};

/// The ranks `thief` should ask for work, most stealable work first (ties: lower rank); ranks with nothing
/// stealable are left out.
std::vector<int> victims_for(int thief, std::span<const QueueState> queues);

/// The cost a task counts for in queues and placement: its hint, or 1 us when it gave none (so that tasks
/// without hints still spread by count).
double counted_cost(double cost_hint_s) noexcept;

}  // namespace penumbra::tasks
