#include "placement/default_placement.hpp"

#include <gtest/gtest.h>

#include "penumbra/errors.hpp"
#include "store/owner_directory.hpp"

namespace penumbra {
namespace {

TEST(DefaultPlacement, HomeIsInRangeAndStable) {
  for (int ranks : {1, 2, 3, 8, 65536})
    for (std::uint64_t id = 0; id < 1000; ++id) {
      const int home = placement::home_rank(ObjectId{id}, ranks);
      EXPECT_GE(home, 0);
      EXPECT_LT(home, ranks);
      EXPECT_EQ(home, placement::home_rank(ObjectId{id}, ranks));
    }
}

TEST(DefaultPlacement, SequentialIdsSpreadEvenly) {
  constexpr int ranks = 8;
  constexpr int objects = 80000;
  std::vector<int> count(ranks);
  for (std::uint64_t id = 0; id < objects; ++id) ++count[placement::home_rank(ObjectId{id}, ranks)];
  for (int c : count) EXPECT_NEAR(c, objects / ranks, objects / ranks * 0.05);
}

TEST(DefaultPlacement, RejectsNoRanks) { EXPECT_THROW(placement::home_rank(ObjectId{1}, 0), InvalidArgument); }

TEST(OwnerDirectory, MovesOverrideHomeAndReturningHomeForgets) {
  store::OwnerDirectory directory(4);
  const ObjectId id{12345};
  const int home = placement::home_rank(id, 4);
  EXPECT_EQ(directory.owner_of(id), home);
  const int elsewhere = (home + 1) % 4;
  directory.record_owner(id, elsewhere);
  EXPECT_EQ(directory.owner_of(id), elsewhere);
  EXPECT_EQ(directory.moved_count(), 1U);
  directory.record_owner(id, home);
  EXPECT_EQ(directory.owner_of(id), home);
  EXPECT_EQ(directory.moved_count(), 0U);
}

}  // namespace
}  // namespace penumbra
