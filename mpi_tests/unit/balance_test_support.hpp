#pragma once
// Hand-made epoch snapshots for the balance suites: ranks with given loads, objects with given costs. Every
// expected plan in the tests is worked out by hand in a comment next to it, never by the code under test.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "penumbra/balance.hpp"

namespace penumbra::balance::test {

/// `ranks` ranks on one node, no load of their own beyond their objects.
inline EpochInput snapshot(int ranks, double threshold = 0.2) {
  EpochInput input;
  input.ranks.resize(static_cast<std::size_t>(ranks));
  input.threshold = threshold;
  return input;
}

/// Adds an object with the same measured, predicted and next cost, and keeps the rank loads in step.
inline ObjectState& add(EpochInput& input, std::uint64_t id, int owner, double cost, std::uint64_t bytes = 1000) {
  ObjectState object;
  object.id = ObjectId{id};
  object.owner = owner;
  object.size_bytes = bytes;
  object.measured_cost = object.predicted_cost = object.next_cost = cost;
  input.ranks[owner].measured_load += cost;
  input.ranks[owner].predicted_load += cost;
  input.objects.push_back(object);
  return input.objects.back();
}

/// The strategies that plan without MPI (all but zoltan, which runs Zoltan on MPI_COMM_SELF and has its own
/// MPI suite, mpi_tests/mpi/balance_zoltan_test.cpp).
inline std::vector<std::string> pure_strategies() {
  std::vector<std::string> names;
  for (const std::string& name : strategy_names())
    if (name != "zoltan") names.push_back(name);
  return names;
}

/// Where each moved object goes: id -> target rank.
inline std::map<std::uint64_t, int> targets(const Plan& plan) {
  std::map<std::uint64_t, int> result;
  for (const PlannedMove& move : plan.moves) result[move.id.value] = move.to;
  return result;
}

/// Per-rank sum of `cost` after the plan, computed from owners_after (checked separately) and the input.
inline std::vector<double> loads_after(const EpochInput& input, const Plan& plan) {
  const std::vector<int> owners = owners_after(input, plan);
  std::vector<double> load(input.ranks.size(), 0.0);
  for (std::size_t i = 0; i < owners.size(); ++i) load[owners[i]] += input.objects[i].predicted_cost;
  return load;
}

}  // namespace penumbra::balance::test
