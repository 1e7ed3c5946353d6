// The typed collectives the mechanisms build on (src/mpi/collectives.hpp), across real ranks: every rank's rows
// arrive, in rank order, with the right counts, also when a rank has none. Runs at 1, 2, 4 and 8 ranks.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi/collectives.hpp"
#include "mpi/communicator.hpp"
#include "world.hpp"

namespace penumbra::mpi {
namespace {

using penumbra::testing_support::world_rank;
using penumbra::testing_support::world_size;

struct Head {
  int rank = 0;
  double weight = 0.0;
};
struct Small {
  std::int32_t value = 0;
};
struct Large {
  std::int64_t rank = 0;
  double payload[5] = {};
};

// Rank r sends r rows of Small (so rank 0 none) and size - r rows of Large: sections of different widths and
// empty ones, so a wrong offset or a swapped section shows in the values.
std::vector<Small> smalls_of(int rank) {
  std::vector<Small> rows;
  for (int i = 0; i < rank; ++i) rows.push_back({.value = 1000 * rank + i});
  return rows;
}
std::vector<Large> larges_of(int rank, int size) {
  std::vector<Large> rows;
  for (int i = 0; i < size - rank; ++i) rows.push_back({.rank = rank, .payload = {1.0 * i, 0, 0, 0, -1.0 * rank}});
  return rows;
}

TEST(AllgatherSections, EveryRanksHeadAndRowsArriveInRankOrder) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  const int rank = world_rank(), size = world_size();
  const std::vector<Small> my_smalls = smalls_of(rank);
  const std::vector<Large> my_larges = larges_of(rank, size);
  const auto gathered = allgather_sections<Head, Small, Large>(comm, Head{.rank = rank, .weight = 0.5 * rank},
                                                               my_smalls, my_larges);
  ASSERT_EQ(gathered.heads.size(), static_cast<std::size_t>(size));
  ASSERT_EQ(gathered.counts.size(), static_cast<std::size_t>(size));
  std::vector<Small> smalls;
  std::vector<Large> larges;
  for (int r = 0; r < size; ++r) {
    EXPECT_EQ(gathered.heads[r].rank, r);
    EXPECT_EQ(gathered.heads[r].weight, 0.5 * r);
    EXPECT_EQ(gathered.counts[r][0], r);
    EXPECT_EQ(gathered.counts[r][1], size - r);
    for (const Small& row : smalls_of(r)) smalls.push_back(row);
    for (const Large& row : larges_of(r, size)) larges.push_back(row);
  }
  const auto& [got_smalls, got_larges] = gathered.rows;
  ASSERT_EQ(got_smalls.size(), smalls.size());
  for (std::size_t i = 0; i < smalls.size(); ++i) EXPECT_EQ(got_smalls[i].value, smalls[i].value) << i;
  ASSERT_EQ(got_larges.size(), larges.size());
  for (std::size_t i = 0; i < larges.size(); ++i) {
    EXPECT_EQ(got_larges[i].rank, larges[i].rank) << i;
    EXPECT_EQ(got_larges[i].payload[0], larges[i].payload[0]) << i;
    EXPECT_EQ(got_larges[i].payload[4], larges[i].payload[4]) << i;
  }
}

TEST(AllgatherSections, NoRowsAnywhereGivesEmptySections) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  const auto gathered = allgather_sections<int, Small>(comm, world_rank(), std::span<const Small>{});
  EXPECT_EQ(gathered.heads.size(), static_cast<std::size_t>(world_size()));
  EXPECT_TRUE(std::get<0>(gathered.rows).empty());
}

TEST(AllgathervKnown, RowsWithCountsEveryRankKnowsNeedOneRound) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  const int rank = world_rank(), size = world_size();
  std::vector<std::int64_t> counts;
  for (int r = 0; r < size; ++r) counts.push_back(size - r);
  const std::vector<Large> all = allgatherv_known<Large>(comm, larges_of(rank, size), counts);
  std::vector<Large> expected;
  for (int r = 0; r < size; ++r)
    for (const Large& row : larges_of(r, size)) expected.push_back(row);
  ASSERT_EQ(all.size(), expected.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].rank, expected[i].rank) << i;
    EXPECT_EQ(all[i].payload[0], expected[i].payload[0]) << i;
  }
}

TEST(AllgathervKnown, ACountPastMpisIntIsRefusedByName) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  // Refused while the counts are checked, before any rank enters the collective: every rank throws alike.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(world_size()), 0);
  counts[0] = std::int64_t{1} << 40;
  try {
    (void)allgatherv_known<Large>(comm, {}, counts);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find(std::to_string(counts[0] * sizeof(Large))), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace penumbra::mpi
