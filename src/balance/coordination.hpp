#pragma once
// The migration managers' protocol, as a pure function (DESIGN.md: policy is pure, mechanism is MPI). Each
// overloaded rank (donor) holds an ordered list of objects it could give; each rank with room (receiver)
// accepts up to its limit. The plan is settled in levels: first inside each node, then inside groups of 2
// nodes, 4 nodes, ... up to the whole machine, so moves stay as near as they can and the number of levels
// grows like log2(nodes). In one round of a level every donor proposes moves against the room it was told
// (its group's pairing), every receiver accepts proposals in a fixed order (largest gain, then lowest id)
// while they fit under its limit and rejects the rest, and rejected objects may be proposed again in the next
// round. An object is proposed to one receiver at a time and accepted once, so it never moves twice.
#include <cstdint>
#include <functional>
#include <vector>

#include "penumbra/balance.hpp"

namespace penumbra::balance {

/// One object a donor may give, in the donor's order of preference.
struct Candidate {
  std::uint32_t object = 0;  ///< position in EpochInput::objects
  double cost = 0.0;         ///< seconds on its owner (the donor's relief)
  int preferred = -1;        ///< the rank its affinity points to (-1: none); tried first when in the group
};

/// The budget of one rank in the protocol.
struct RankBudget {
  int node = 0;
  double load = 0.0;     ///< seconds, before the plan
  double shed_to = 0.0;  ///< a donor gives until its load is at most this
  double fill_to = 0.0;  ///< a receiver is offered work up to this (its pairing room)
  double limit = 0.0;    ///< a receiver never accepts past this (hysteresis: it must not become a donor)
  double speed = 1.0;
};

struct CoordinationInput {
  std::vector<RankBudget> ranks;
  std::vector<int> donors;                         ///< donor ranks, ascending
  std::vector<std::vector<Candidate>> candidates;  ///< per donor (same order as `donors`)
  /// Gain of moving candidates[donor_slot][candidate] to `target` (seconds over the plan's lifetime, net of
  /// the transfer and of the communication it makes remote); a move is proposed only when it is positive.
  std::function<double(std::size_t donor_slot, std::size_t candidate, int target)> gain;
};

struct CoordinationResult {
  std::vector<PlannedMove> moves;      ///< id, from, to, gain and reason filled; bytes by the caller
  std::vector<std::uint32_t> objects;  ///< position of each move's object in EpochInput::objects
  int rounds = 0;                      ///< proposal/acceptance rounds over all levels (levels run one after another)
  int levels = 0;                      ///< levels that had a donor and a receiver in some group
  std::uint64_t messages = 0;          ///< see coordinate()
};

/// Runs the protocol. Messages counted: at level 0 each node's ranks send their excess/room to the node's
/// leader and get their pairing back (2 per member with something to give or take); above, each group leader
/// exchanges one summary with its parent and one pairing back (2 per merged group); every round, one proposal
/// message per (donor, receiver) pair and one answer.
CoordinationResult coordinate(const CoordinationInput& input);

}  // namespace penumbra::balance
