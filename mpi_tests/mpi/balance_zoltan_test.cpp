// The zoltan strategy (built where Zoltan is found) under MPI: it runs Zoltan on MPI_COMM_SELF, so every rank
// plans alone on the same snapshot and must get the same, valid, balanced plan.
#include <gtest/gtest.h>
#include <mpi.h>

#include <map>

#include "penumbra/balance.hpp"

namespace penumbra::balance {
namespace {

TEST(BalanceZoltan, BalancesAChainAndMovesLittle) {
  // Ranks 0 and 1; a chain 1-2-3-4 of objects of cost 1, all on rank 0. With an imbalance tolerance of 1.2
  // (at most 2.4 per rank) the only balanced loads are 2 and 2, and a repartitioner that weighs migration
  // moves exactly two objects. Which two is Zoltan's choice; the plan must be valid either way.
  EpochInput input;
  input.ranks.resize(2);
  input.threshold = 0.2;
  for (std::uint64_t id = 1; id <= 4; ++id) {
    ObjectState object;
    object.id = ObjectId{id};
    object.owner = 0;
    object.size_bytes = 1000;
    object.measured_cost = object.predicted_cost = 1.0;
    if (id > 1) object.edges.push_back({ObjectId{id - 1}, 100.0});
    if (id < 4) object.edges.push_back({ObjectId{id + 1}, 100.0});
    input.ranks[0].predicted_load += 1.0;
    input.objects.push_back(object);
  }
  const Plan plan = make_strategy("zoltan")->plan(input);
  const std::vector<int> owners = owners_after(input, plan);
  int on_one = 0;
  for (int owner : owners) on_one += owner == 1 ? 1 : 0;
  EXPECT_EQ(on_one, 2);
  EXPECT_EQ(plan.moves.size(), 2U);
  EXPECT_EQ(plan.projected_load, (std::vector<double>{2.0, 2.0}));
}

TEST(BalanceZoltan, EveryRankGetsTheSamePlan) {
  EpochInput input;
  input.ranks.resize(4);
  std::uint64_t id = 1;
  for (int p = 0; p < 4; ++p)
    for (int k = 0; k < 8 * (p + 1); ++k) {
      ObjectState object;
      object.id = ObjectId{id};
      object.owner = p;
      object.size_bytes = 4096;
      object.predicted_cost = object.measured_cost = 1.0 + 0.1 * static_cast<double>(k % 3);
      object.edges.push_back({ObjectId{id + 1}, 512.0});
      input.ranks[p].predicted_load += object.predicted_cost;
      input.objects.push_back(object);
      ++id;
    }
  const Plan plan = make_strategy("zoltan")->plan(input);
  ASSERT_NO_THROW(owners_after(input, plan));
  // Compare the plan's owners with rank 0's.
  std::vector<int> owners = owners_after(input, plan), first = owners;
  MPI_Bcast(first.data(), static_cast<int>(first.size()), MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_EQ(owners, first);
  double max = 0.0, total = 0.0;
  for (double load : plan.projected_load) max = std::max(max, load), total += load;
  EXPECT_LE(max, 1.25 * total / 4.0);  // within Zoltan's tolerance (1.2) and one object
}

}  // namespace
}  // namespace penumbra::balance
