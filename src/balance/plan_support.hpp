#pragma once
// Turning a strategy's decisions into a Plan, shared by every strategy: moves sorted by id, the projected
// load per rank, and the messages a centralised strategy would exchange.
#include <chrono>
#include <vector>

#include "balance/snapshot.hpp"
#include "penumbra/balance.hpp"

namespace penumbra::balance {

/// A move of input.objects[object] to rank `to`, with the strategy's reason and gain.
PlannedMove make_move(const EpochInput& input, std::size_t object, int to, MoveReason reason, double gain);

/// The Plan of `moves`: sorted by id, projected_load from `view` (each moved object's cost leaves its owner
/// and arrives scaled by speed), rounds and messages as given.
Plan finish_plan(const ObjectIndex& index, const LoadView& view, std::vector<PlannedMove> moves, int rounds,
                 std::uint64_t messages);

/// Messages of a centralised strategy (Charm++'s GreedyLB and RefineLB): every rank sends its statistics
/// to one rank and receives the plan back.
std::uint64_t centralised_messages(std::size_t ranks);

/// Seconds since `start` (a strategy's Plan::plan_seconds).
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace penumbra::balance
