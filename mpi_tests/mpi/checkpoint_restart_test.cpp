// Restart on another number of ranks: ctest runs `Restart.Write` with N ranks, then (a dependent test, see
// CMakeLists.txt) `Restart.Restore` with M ranks on the same directory, a new job. The restoring job knows
// nothing of the writer but its rank count: every value and version is checked against the arithmetic of
// checkpoint_test_support.hpp.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdlib>

#include "checkpoint_test_support.hpp"

namespace penumbra::checkpoint_test {
namespace {

std::string required_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(std::string(name) + " is not set (see CMakeLists.txt)");
  return value;
}

TEST(Restart, Write) {
  const std::filesystem::path directory = required_environment("CHECKPOINT_TEST_DIR");
  Runtime rt{MPI_COMM_WORLD, Config{}};
  if (rt.rank() == 0) std::filesystem::remove_all(directory);  // a previous run's checkpoint must not be read
  rt.barrier();
  populate(rt);
  scatter(rt);  // owners differ from every home, here and in the restoring job
  const CheckpointReport report = rt.checkpoint(directory);
  EXPECT_EQ(report.ranks, rt.size());
  EXPECT_EQ(report.objects, expected_objects());
  EXPECT_EQ(report.tombstones, static_cast<std::uint64_t>(kErased));
}

TEST(Restart, Restore) {
  const std::filesystem::path directory = required_environment("CHECKPOINT_TEST_DIR");
  const int writers = std::stoi(required_environment("CHECKPOINT_TEST_WRITERS"));
  Runtime rt{MPI_COMM_WORLD, Config{}};
  const RestoreReport report = rt.restore(directory);
  EXPECT_EQ(report.checkpoint_ranks, writers);
  EXPECT_EQ(report.objects, expected_objects());
  EXPECT_EQ(report.tombstones, static_cast<std::uint64_t>(kErased));
  EXPECT_EQ(sum_over_ranks(report.local_objects), expected_objects());
  verify_restored(rt);
}

}  // namespace
}  // namespace penumbra::checkpoint_test
