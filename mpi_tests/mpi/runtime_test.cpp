// Runtime construction and teardown at every rank count.
#include <gtest/gtest.h>
#include <mpi.h>

#include "mpi/check.hpp"
#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

int world_size() {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

TEST(Runtime, BuildsOnWorldWithDefaults) {
  Runtime rt{MPI_COMM_WORLD};
  EXPECT_EQ(rt.size(), world_size());
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  EXPECT_EQ(rt.rank(), rank);
  EXPECT_EQ(rt.topology().rank_count(), world_size());
}

TEST(Runtime, FreesEveryMpiHandleItCreated) {
  const int before = mpi::live_handles();
  {
    Runtime rt{MPI_COMM_WORLD, Config{}};
    EXPECT_GT(mpi::live_handles(), before);
  }
  EXPECT_EQ(mpi::live_handles(), before);
}

TEST(Runtime, WorksOnASubCommunicator) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm half = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
  {
    Runtime rt{half, Config{}};
    int half_size = 0;
    MPI_Comm_size(half, &half_size);
    EXPECT_EQ(rt.size(), half_size);
    if (rt.rank() == 0) rt.create(ObjectId{1}, rank % 2);  // one object per half, at its home in that half
    rt.barrier();
    EXPECT_EQ(rt.read<int>(ObjectId{1}).value, rank % 2);
  }
  MPI_Comm_free(&half);
}

// Open MPI 4.1 names a window's node-shared file after the communicator's context id, which the halves of one
// split share; without NodeAllocationLock about one run in four failed here (and two halves could map one file).
TEST(Runtime, DisjointRuntimesOnOneNodeBuildTheirWindowsIndependently) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm half = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
  for (int round = 0; round < 12; ++round) {
    Runtime rt{half, Config{}};
    if (rt.rank() == 0) rt.create(ObjectId{7}, round * 10 + rank % 2);
    rt.barrier();
    ASSERT_EQ(rt.read<int>(ObjectId{7}).value, round * 10 + rank % 2) << "round " << round;
  }
  MPI_Comm_free(&half);
}

TEST(Runtime, InvalidConfigurationThrowsOnEveryRank) {
  Config config;
  config.epoch_interval = -3;
  try {
    Runtime rt{MPI_COMM_WORLD, config};
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "epoch_interval");
    EXPECT_EQ(error.value(), "-3");
  }
}

TEST(Runtime, ConfigurationThatDiffersBetweenRanksIsRejected) {
  if (world_size() == 1) GTEST_SKIP() << "needs two ranks";
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Config config;
  if (rank == world_size() - 1) config.epoch_interval = 11;
  EXPECT_THROW((Runtime{MPI_COMM_WORLD, config}), ConfigError);
}

TEST(Runtime, EnvironmentValueReachesTheRuntime) {
  setenv("PENUMBRA_EPOCH_INTERVAL", "-3", 1);
  EXPECT_THROW(Runtime{MPI_COMM_WORLD}, ConfigError);
  setenv("PENUMBRA_EPOCH_INTERVAL", "3", 1);
  {
    Runtime rt{MPI_COMM_WORLD};
    EXPECT_EQ(rt.config().epoch_interval, 3);
  }
  unsetenv("PENUMBRA_EPOCH_INTERVAL");
}

TEST(Runtime, BadEnvironmentOnOneRankFailsEveryRankTogether) {
  const int last = world_size() - 1;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == last) setenv("PENUMBRA_VIRTUAL_NODES", "many", 1);
  try {
    Runtime rt{MPI_COMM_WORLD};
    ADD_FAILURE() << "expected every rank to throw";
  } catch (const ConfigError& error) {
    EXPECT_EQ(rank, last);
    EXPECT_EQ(error.key(), "PENUMBRA_VIRTUAL_NODES");
  } catch (const RemoteError& error) {
    EXPECT_NE(rank, last);
    EXPECT_EQ(error.failing_rank(), last);
    EXPECT_NE(std::string(error.what()).find("PENUMBRA_VIRTUAL_NODES"), std::string::npos);
  }
  unsetenv("PENUMBRA_VIRTUAL_NODES");
}

TEST(Runtime, StepsCountAndEpochsCheckInvariants) {
  Config config;
  config.epoch_interval = 2;
  config.check_invariants = true;
  Runtime rt{MPI_COMM_WORLD, config};
  rt.create("counter/" + std::to_string(rt.rank()), rt.rank());
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(rt.step(), i);
  EXPECT_EQ(rt.steps(), 5);
}

TEST(Runtime, ManyRuntimesInSequence) {
  for (int i = 0; i < 5; ++i) {
    Runtime rt{MPI_COMM_WORLD, Config{}};
    rt.barrier();
  }
  SUCCEED();
}

}  // namespace
}  // namespace penumbra
