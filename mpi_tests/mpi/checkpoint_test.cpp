// Checkpoint and restore within one job size: the round trip, the guarantees of an interrupted or failed
// checkpoint, and every kind of damage a restore must refuse on every rank without installing anything.
// Restarts on another number of ranks: checkpoint_restart_test.cpp.
#include <gtest/gtest.h>
#include <mpi.h>

#include <fstream>
#include <functional>

#include "checkpoint/format.hpp"
#include "checkpoint_test_support.hpp"
#include "fragile.hpp"
#include "world.hpp"

namespace penumbra::checkpoint_test {
namespace {

using penumbra::testing_support::world_rank;
using penumbra::testing_support::world_size;

// The 16 hex digits of a checkpoint token, as its file names carry them.
std::string fmt_token(std::uint64_t token) { return checkpoint::data_file_name(token, 0).substr(5, 16); }

std::string fmt_found_by(int rank) { return "(found by rank " + std::to_string(rank) + ")"; }

// Whether every rank got a CheckpointError naming the same file (what a caller on any rank can rely on).
void expect_same_file_everywhere(const std::string& file) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::uint64_t digest = std::hash<std::string>{}(file);
  std::vector<std::uint64_t> all(static_cast<std::size_t>(size));
  MPI_Allgather(&digest, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
  for (std::uint64_t other : all) EXPECT_EQ(other, digest) << "ranks name different files: " << file;
}

class Checkpoint : public testing::Test {
 protected:
  void SetUp() override {
    directory = shared_directory(testing::UnitTest::GetInstance()->current_test_info()->name());
    if (world_rank() == 0) std::filesystem::remove_all(directory);
    MPI_Barrier(MPI_COMM_WORLD);
  }
  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) std::filesystem::remove_all(directory.parent_path());
  }

  // A complete checkpoint of the test objects, written by a runtime that is then gone.
  CheckpointReport write_checkpoint() {
    Runtime rt{MPI_COMM_WORLD, Config{}};
    populate(rt);
    scatter(rt);
    return rt.checkpoint(directory);
  }

  std::filesystem::path data_file(const CheckpointReport& report, int rank) const {
    return directory / checkpoint::data_file_name(report.token, rank);
  }

  // Rank 0 damages the shared directory; every rank then tries to restore it into a fresh runtime. Every rank
  // must throw CheckpointError naming `damaged`, and hold nothing afterwards (and the runtime stays usable).
  void expect_refused(const std::function<void()>& damage, const std::filesystem::path& damaged,
                      const std::string& words) {
    if (world_rank() == 0) damage();
    MPI_Barrier(MPI_COMM_WORLD);
    Runtime rt{MPI_COMM_WORLD, Config{}};
    try {
      rt.restore(directory);
      ADD_FAILURE() << "a damaged checkpoint was restored";
    } catch (const CheckpointError& error) {
      EXPECT_EQ(error.file(), damaged.string()) << error.what();
      EXPECT_NE(error.problem().find(words), std::string::npos) << error.what();
      expect_same_file_everywhere(error.file());
    }
    EXPECT_TRUE(rt.local_objects().empty());
    EXPECT_EQ(sum_over_ranks(rt.local_objects().size()), 0U);
    EXPECT_THROW(rt.read<Cell>(cell_name(1)), UnknownObject);
    rt.barrier();  // every rank has looked before rank 0 creates it
    // Nothing half-installed blocks a fresh start: the same names can be created.
    if (rt.rank() == 0) {
      EXPECT_EQ(rt.create(cell_name(1), cell_value(1, 1)), ObjectId::from_name(cell_name(1)));
    }
    rt.barrier();
    EXPECT_EQ(rt.read<Cell>(cell_name(1)).version, 1U);
  }

  std::filesystem::path directory;
};

TEST_F(Checkpoint, RoundTripRestoresEveryObjectAndVersion) {
  const CheckpointReport written = write_checkpoint();
  EXPECT_EQ(written.objects, expected_objects());
  EXPECT_EQ(written.tombstones, static_cast<std::uint64_t>(kErased));
  EXPECT_EQ(written.ranks, world_size());
  EXPECT_EQ(sum_over_ranks(written.local_objects), expected_objects());
  EXPECT_TRUE(std::filesystem::exists(written.manifest));

  Runtime rt{MPI_COMM_WORLD, Config{}};
  const RestoreReport restored = rt.restore(directory);
  EXPECT_EQ(restored.token, written.token);
  EXPECT_EQ(restored.checkpoint_ranks, rt.size());
  EXPECT_EQ(restored.objects, expected_objects());
  EXPECT_EQ(restored.tombstones, static_cast<std::uint64_t>(kErased));
  EXPECT_EQ(restored.configuration, Config{}.to_string());
  EXPECT_EQ(sum_over_ranks(restored.local_objects), expected_objects());
  verify_restored(rt);
}

TEST_F(Checkpoint, RestoredObjectsMoveAndCheckpointAgain) {
  write_checkpoint();
  {
    Runtime rt{MPI_COMM_WORLD, Config{}};
    rt.restore(directory);
    scatter(rt);               // restored values travel encoded, as they arrived
    rt.checkpoint(directory);  // replaces the first checkpoint in the same directory
  }
  // Only the second checkpoint's files are left: the manifest and one data file per rank.
  std::size_t files = 0;
  for (const auto& item : std::filesystem::directory_iterator(directory)) {
    (void)item;
    ++files;
  }
  EXPECT_EQ(files, static_cast<std::size_t>(world_size()) + 1);
  Runtime rt{MPI_COMM_WORLD, Config{}};
  rt.restore(directory);
  verify_restored(rt);
}

// Shadows are copies: a checkpoint taken while every rank holds copies of every object writes each object once.
TEST_F(Checkpoint, ShadowsAreNotCheckpointed) {
  if (world_size() == 1) GTEST_SKIP() << "no other rank to hold a shadow";
  Config config;
  config.shadow.full_replication = true;
  {
    Runtime rt{MPI_COMM_WORLD, config};
    populate(rt);
    // Reads from non-owners make the points worth copying (the policy copies only what is read).
    for (int k = 0; k < kPoints; ++k)
      if (rt.owner_of(point_id(k)) != rt.rank())
        for (int i = 0; i < 30; ++i) rt.read<Point>(point_id(k));
    rt.barrier();
    rt.update_shadows();
    ASSERT_GT(sum_over_ranks(rt.shadow_stats().shadows_held), 0U);
    const CheckpointReport written = rt.checkpoint(directory);
    EXPECT_EQ(written.objects, expected_objects());
  }
  Runtime rt{MPI_COMM_WORLD, config};
  EXPECT_EQ(rt.restore(directory).objects, expected_objects());
  EXPECT_EQ(rt.shadow_stats().shadows_held, 0U);  // placed again by the next shadow epoch, not restored
  verify_restored(rt);
}

TEST_F(Checkpoint, RestoreNeedsARuntimeWithoutObjects) {
  write_checkpoint();
  Runtime rt{MPI_COMM_WORLD, Config{}};
  if (rt.rank() == 0) rt.create("already/here", Point{});
  // Every rank refuses, including those that hold nothing themselves.
  EXPECT_THROW(rt.restore(directory), InvalidArgument);
  EXPECT_EQ(sum_over_ranks(rt.local_objects().size()), 1U);
}

TEST_F(Checkpoint, FlippedByteInADataFileIsRefusedEverywhere) {
  const CheckpointReport written = write_checkpoint();
  const auto file = data_file(written, world_size() - 1);
  expect_refused(
      [&] {
        std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
        stream.seekg(static_cast<std::streamoff>(std::filesystem::file_size(file) / 2));
        char byte = 0;
        stream.get(byte);
        stream.seekp(static_cast<std::streamoff>(std::filesystem::file_size(file) / 2));
        stream.put(static_cast<char>(byte ^ 0x10));
      },
      file, "checksum mismatch");
}

TEST_F(Checkpoint, TruncatedDataFileIsRefusedEverywhere) {
  const CheckpointReport written = write_checkpoint();
  const auto file = data_file(written, 0);
  expect_refused([&] { std::filesystem::resize_file(file, std::filesystem::file_size(file) - 100); }, file,
                 "truncated");
}

TEST_F(Checkpoint, DeletedDataFileIsRefusedEverywhere) {
  const CheckpointReport written = write_checkpoint();
  const auto file = data_file(written, world_size() / 2);
  expect_refused([&] { std::filesystem::remove(file); }, file, "missing");
}

TEST_F(Checkpoint, MissingManifestIsRefusedEverywhere) {
  // What an interrupted checkpoint leaves: every data file, no manifest.
  const CheckpointReport written = write_checkpoint();
  expect_refused([&] { std::filesystem::remove(written.manifest); }, written.manifest, "missing");
}

TEST_F(Checkpoint, DamagedManifestIsRefusedEverywhere) {
  const CheckpointReport written = write_checkpoint();
  expect_refused(
      [&] { std::filesystem::resize_file(written.manifest, std::filesystem::file_size(written.manifest) - 1); },
      written.manifest, "checksum mismatch");
}

TEST_F(Checkpoint, EmptyDirectoryIsNoCheckpoint) {
  const auto manifest = directory / checkpoint::kManifestName;
  expect_refused([&] { std::filesystem::create_directories(directory); }, manifest, "missing");
}

// Injected (fault.corrupt_payload): a record damaged on its way to its new owner during the restore is caught
// by its checksum at the receiver, and nothing is restored anywhere.
TEST_F(Checkpoint, RecordCorruptedInTransferIsRefusedEverywhere) {
  write_checkpoint();
  Config config;
  config.fault.rank = world_size() - 1;
  config.fault.corrupt_payload = true;
  Runtime rt{MPI_COMM_WORLD, config};
  try {
    rt.restore(directory);
    ADD_FAILURE() << "a corrupted record was restored";
  } catch (const CheckpointError& error) {
    EXPECT_NE(error.file().find("records sent by rank"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(fmt_found_by(world_size() - 1)), std::string::npos) << error.what();
    expect_same_file_everywhere(error.file());
  }
  EXPECT_EQ(sum_over_ranks(rt.local_objects().size()), 0U);
}

// Injected (fault.slow_us): one rank late at the checkpoint and at the restore; both complete, nothing lost.
TEST_F(Checkpoint, SlowRankDelaysButLosesNothing) {
  constexpr std::int64_t kLateUs = 100'000;
  Config config;
  config.fault.rank = 0;
  config.fault.slow_us = kLateUs;
  {
    Runtime rt{MPI_COMM_WORLD, config};
    populate(rt);
    scatter(rt);
    const CheckpointReport written = rt.checkpoint(directory);
    EXPECT_GE(written.seconds, kLateUs * 1e-6);  // every rank waited for the late one: the fault happened
    EXPECT_EQ(written.objects, expected_objects());
  }
  Runtime rt{MPI_COMM_WORLD, config};
  const RestoreReport restored = rt.restore(directory);
  EXPECT_GE(restored.seconds, kLateUs * 1e-6);
  verify_restored(rt);
}

// A user type whose serialization throws fails the checkpoint on every rank; the checkpoint already in the
// directory stays the one its manifest names, complete, and no file of the failed attempt is left.
using penumbra::test_types::Fragile;
using penumbra::test_types::g_fail_serialization;

TEST_F(Checkpoint, FailedCheckpointLeavesThePreviousOneIntact) {
  const CheckpointReport first = write_checkpoint();
  {
    Runtime rt{MPI_COMM_WORLD, Config{}};
    rt.restore(directory);
    // Only the owner of 'fragile' fails: the other ranks' files are written, then must be discarded.
    if (rt.rank() == rt.size() - 1) rt.create("fragile", Fragile{7});
    rt.barrier();
    if (rt.owner_of("fragile") == rt.rank()) rt.write("fragile", Fragile{8});  // held typed: the checkpoint encodes it
    for (int k = rt.rank(); k < kCells; k += rt.size()) rt.write(cell_name(k), cell_value(k, 50));
    g_fail_serialization = true;
    try {
      rt.checkpoint(directory);
      ADD_FAILURE() << "the checkpoint succeeded";
    } catch (const CheckpointError& error) {
      EXPECT_NE(error.problem().find("Fragile refuses to serialize"), std::string::npos) << error.what();
      expect_same_file_everywhere(error.file());
    }
    g_fail_serialization = false;
  }
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(directory)) names.push_back(item.path().filename());
  EXPECT_EQ(names.size(), static_cast<std::size_t>(world_size()) + 1) << testing::PrintToString(names);
  for (const std::string& name : names)
    EXPECT_TRUE(name == checkpoint::kManifestName || name.find(fmt_token(first.token)) != std::string::npos) << name;
  Runtime rt{MPI_COMM_WORLD, Config{}};
  EXPECT_EQ(rt.restore(directory).token, first.token);
  verify_restored(rt);  // the first checkpoint's values, not the writes made after it
}

}  // namespace
}  // namespace penumbra::checkpoint_test
