// The baselines on snapshots whose plans are worked out by hand: static (nothing moves), greedy (Charm++'s
// GreedyLB: from scratch, heaviest first to the least loaded rank) and refine (RefineLB: fewest moves off
// ranks above (1 + threshold) x mean).
#include <gtest/gtest.h>

#include "balance_test_support.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {
namespace {

using test::add;
using test::snapshot;
using test::targets;

TEST(BalanceStatic, NeverMoves) {
  EpochInput input = snapshot(2);
  add(input, 1, 0, 10.0);
  add(input, 2, 0, 10.0);
  const Plan plan = make_strategy("static")->plan(input);
  EXPECT_TRUE(plan.moves.empty());
  EXPECT_EQ(plan.projected_load, (std::vector<double>{20.0, 0.0}));
}

TEST(BalanceGreedy, AssignsHeaviestFirstToTheLeastLoaded) {
  // Costs 4, 3, 2, 1 all on rank 0 of 2. By hand: 4 -> r0 (0 < 0 tie: lower rank), 3 -> r1 (0 < 4),
  // 2 -> r1 (3 < 4), 1 -> r0 (4 < 5). Final r0 = {4, 1} = 5, r1 = {3, 2} = 5: objects 2 and 3 move to rank 1.
  EpochInput input = snapshot(2);
  add(input, 1, 0, 4.0);
  add(input, 2, 0, 3.0);
  add(input, 3, 0, 2.0);
  add(input, 4, 0, 1.0);
  const Plan plan = make_strategy("greedy")->plan(input);
  EXPECT_EQ(targets(plan), (std::map<std::uint64_t, int>{{2, 1}, {3, 1}}));
  EXPECT_EQ(plan.projected_load, (std::vector<double>{5.0, 5.0}));
}

TEST(BalanceGreedy, IgnoresThePlacementAndMovesMany) {
  // Already balanced, but greedy starts from scratch: 2 objects of 1 on each of ranks 0 and 1, ids 1,2 on
  // r1 and 3,4 on r0. Equal costs go by id: 1 -> r0, 2 -> r1, 3 -> r0, 4 -> r1. Objects 1 and 4 move.
  EpochInput input = snapshot(2);
  add(input, 1, 1, 1.0);
  add(input, 2, 1, 1.0);
  add(input, 3, 0, 1.0);
  add(input, 4, 0, 1.0);
  const Plan plan = make_strategy("greedy")->plan(input);
  EXPECT_EQ(targets(plan), (std::map<std::uint64_t, int>{{1, 0}, {4, 1}}));
}

TEST(BalanceRefine, MovesTheLargestObjectThatFits) {
  // r0 = {4, 2, 2} = 8, r1 = {2}, r2 = {2}; mean 4, limit 1.2 x 4 = 4.8. Donor r0; receivers r1, r2 tie
  // (room 2 below the mean): r1 first. Room to r1's limit 2.8: largest fitting = a 2 (ids 2, 3: the larger
  // id sits last among equals, so 3). r0 = 6 > 4.8; next receiver r2 (room 2): the other 2 (id 2).
  // r0 = 4: done. Two moves, every rank at 4.
  EpochInput input = snapshot(3);
  add(input, 1, 0, 4.0);
  add(input, 2, 0, 2.0);
  add(input, 3, 0, 2.0);
  add(input, 4, 1, 2.0);
  add(input, 5, 2, 2.0);
  const Plan plan = make_strategy("refine")->plan(input);
  EXPECT_EQ(targets(plan), (std::map<std::uint64_t, int>{{2, 2}, {3, 1}}));
  EXPECT_EQ(plan.projected_load, (std::vector<double>{4.0, 4.0, 4.0}));
}

TEST(BalanceRefine, LeavesRanksUnderTheThresholdAlone) {
  // r0 = 5, r1 = 3: mean 4, limit 4.8 at threshold 0.2; r0 is over: moves its 1 to r1 (room to 4.8 = 1.8).
  // At threshold 0.3 the limit is 5.2 and nothing moves.
  EpochInput input = snapshot(2);
  add(input, 1, 0, 4.0);
  add(input, 2, 0, 1.0);
  add(input, 3, 1, 3.0);
  EXPECT_EQ(targets(make_strategy("refine")->plan(input)), (std::map<std::uint64_t, int>{{2, 1}}));
  input.threshold = 0.3;
  EXPECT_TRUE(make_strategy("refine")->plan(input).moves.empty());
}

TEST(BalanceRefine, StopsWhenNothingFits) {
  // r0 = {6} alone, r1 = {}: mean 3, limit 3.6; the 6 does not fit under r1's limit: no move.
  EpochInput input = snapshot(2);
  add(input, 1, 0, 6.0);
  EXPECT_TRUE(make_strategy("refine")->plan(input).moves.empty());
}

}  // namespace
}  // namespace penumbra::balance
