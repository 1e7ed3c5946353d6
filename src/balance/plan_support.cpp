#include "balance/plan_support.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "penumbra/errors.hpp"

namespace penumbra::balance {

PlannedMove make_move(const EpochInput& input, std::size_t object, int to, MoveReason reason, double gain) {
  const ObjectState& state = input.objects[object];
  return PlannedMove{state.id, state.owner, to, state.size_bytes, reason, gain};
}

Plan finish_plan(const ObjectIndex& index, const LoadView& view, std::vector<PlannedMove> moves, int rounds,
                 std::uint64_t messages) {
  std::ranges::sort(moves, [](const PlannedMove& a, const PlannedMove& b) { return a.id < b.id; });
  Plan plan;
  plan.projected_load = view.load;
  for (const PlannedMove& move : moves) {
    const std::size_t object = *index.find(move.id);
    plan.projected_load[move.from] -= view.cost[object];
    plan.projected_load[move.to] += view.cost_on(object, move.from, move.to);
  }
  plan.moves = std::move(moves);
  plan.rounds = rounds;
  plan.messages = messages;
  return plan;
}

std::uint64_t centralised_messages(std::size_t ranks) { return 2 * (ranks - 1); }

std::vector<int> owners_after(const EpochInput& input, const Plan& plan) {
  const int ranks = static_cast<int>(input.ranks.size());
  const ObjectIndex index(input);
  std::vector<int> owners(input.objects.size());
  for (std::size_t i = 0; i < owners.size(); ++i) owners[i] = input.objects[i].owner;
  std::vector<bool> moved(input.objects.size(), false);
  for (const PlannedMove& move : plan.moves) {
    const auto object = index.find(move.id);
    if (!object)
      throw InvariantViolation(
          fmt::format("the plan moves object {}, which the snapshot does not hold", to_string(move.id)));
    if (moved[*object]) throw InvariantViolation(fmt::format("the plan moves object {} twice", to_string(move.id)));
    if (move.from != input.objects[*object].owner)
      throw InvariantViolation(fmt::format("the plan moves object {} from rank {}, but rank {} owns it",
                                           to_string(move.id), move.from, input.objects[*object].owner));
    if (move.to < 0 || move.to >= ranks || move.to == move.from)
      throw InvariantViolation(
          fmt::format("the plan moves object {} to rank {} (expected a rank in [0, {}) other "
                      "than its owner {})",
                      to_string(move.id), move.to, ranks, move.from));
    moved[*object] = true;
    owners[*object] = move.to;
  }
  return owners;
}

}  // namespace penumbra::balance
