// The reference placements penumbra-bench-shadow prints next to its budgeted mode, on cases small enough to
// work out by hand: two ranks, four objects read with shares 0.4, 0.3, 0.2, 0.1, rank 0 owning objects 0 and 2,
// rank 1 objects 1 and 3, one slot per rank.
#include <gtest/gtest.h>

#include "zipf_references.hpp"

namespace penumbra::bench {
namespace {

const std::vector<double> kShares = {0.4, 0.3, 0.2, 0.1};
const std::vector<int> kOwners = {0, 1, 0, 1};

TEST(ZipfReferences, BestLocalShareFillsEachRanksSlotsWithTheMostReadObjectsItDoesNotOwn) {
  // Rank 0: its own 0.4 + 0.2, and object 1 (0.3) in its slot. Rank 1: its own 0.3 + 0.1, and object 0 (0.4).
  EXPECT_DOUBLE_EQ(best_local_share(kShares, kOwners, 2, 1), (0.9 + 0.8) / 2);
  EXPECT_DOUBLE_EQ(best_local_share(kShares, kOwners, 2, 0), (0.6 + 0.4) / 2);
  EXPECT_DOUBLE_EQ(best_local_share(kShares, kOwners, 2, 5), 1.0) << "more slots than objects: every read local";
}

TEST(ZipfReferences, BestSplitWeighsLocalCopiesAgainstHomeCopies) {
  const ReadCosts costs{.local = 1, .one_sided = 10, .owner = 100};
  // Home copies only (objects 0 and 1 published): rank 0 reads 0.6 x 1 + 0.3 x 10 + 0.1 x 100 = 13.6,
  // rank 1 reads 0.4 x 1 + 0.4 x 10 + 0.2 x 100 = 24.4: 19.0 per read.
  // Local copies only (rank 0 holds object 1, rank 1 object 0): 0.9 x 1 + 0.1 x 100 = 10.9 and
  // 0.8 x 1 + 0.2 x 100 = 20.8: 15.85 per read, the better split.
  const SplitPlacement best = best_split_placement(kShares, kOwners, 2, 1, costs);
  EXPECT_EQ(best.local_slots, 1U);
  EXPECT_DOUBLE_EQ(best.local_share, 0.85);
  EXPECT_DOUBLE_EQ(best.mean_read_us, 15.85);
  // When the owner's answer costs what a one-sided read does, a home copy saves nothing and a local copy saves
  // 9 us per read, so the same split wins with 0.15 x 10 per read left for the others.
  const SplitPlacement cheap_owner = best_split_placement(kShares, kOwners, 2, 1, {1, 10, 10});
  EXPECT_EQ(cheap_owner.local_slots, 1U);
  EXPECT_DOUBLE_EQ(cheap_owner.mean_read_us, 0.85 * 1 + 0.15 * 10);
}

TEST(ZipfReferences, ResidentHomeCopiesLeaveTheBudgetToLocalCopies) {
  const ReadCosts costs{.local = 1, .one_sided = 10, .owner = 100};
  // Two resident home copies per rank: every object is readable one-sided, outside the one budgeted slot.
  // Local copies (rank 0 holds object 1, rank 1 object 0): 0.9 x 1 + 0.1 x 10 = 1.9 and 0.8 x 1 + 0.2 x 10 =
  // 2.8: 2.35 per read. The budget as home copies instead: 0.6 + 0.4 x 10 = 4.6 and 0.4 + 0.6 x 10 = 6.4.
  const SplitPlacement best = best_split_placement(kShares, kOwners, 2, 1, costs, 2);
  EXPECT_EQ(best.local_slots, 1U);
  EXPECT_DOUBLE_EQ(best.mean_read_us, 2.35);
  // One resident slot per rank: the budget's slot as a local copy leaves objects 2 and 3 to their owners
  // (15.85, as in the test above), as a second home copy it publishes all four (5.5): the better split.
  const SplitPlacement one_resident = best_split_placement(kShares, kOwners, 2, 1, costs, 1);
  EXPECT_EQ(one_resident.local_slots, 0U);
  EXPECT_DOUBLE_EQ(one_resident.mean_read_us, 5.5);
}

}  // namespace
}  // namespace penumbra::bench
