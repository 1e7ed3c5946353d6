#pragma once
// The objects the checkpoint tests write and the values they expect back, both computed from the object's
// index and version alone: a restore is checked against this arithmetic, never against what the code under
// test wrote.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "penumbra/penumbra.hpp"
#include "placement/default_placement.hpp"

namespace penumbra::checkpoint_test {

struct Cell {  // Boost-serialized: its checkpointed bytes are an archive
  std::string label;
  std::vector<std::int64_t> data;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& label& data;
  }
  bool operator==(const Cell&) const = default;
};

struct Point {  // trivially copyable: its checkpointed bytes are its own
  double x = 0, y = 0;
  std::int64_t k = 0;
  bool operator==(const Point&) const = default;
};

inline constexpr int kCells = 240;
inline constexpr int kPoints = 60;
inline constexpr int kErased = 12;

inline std::string cell_name(int k) { return "cell/" + std::to_string(k); }
inline Version cell_version(int k) { return 1 + static_cast<Version>(k % 4); }
inline Cell cell_value(int k, Version v) {
  // Cell 0 is 1 MiB, so a record larger than any buffer of the codec is exercised.
  const std::size_t size = k == 0 ? std::size_t{1} << 17 : static_cast<std::size_t>(k % 13 + 1);
  return Cell{"cell " + std::to_string(k) + " v" + std::to_string(v),
              std::vector<std::int64_t>(size, static_cast<std::int64_t>(k) * 1000 + static_cast<std::int64_t>(v))};
}
inline ObjectId point_id(int k) { return ObjectId{0x5000 + static_cast<std::uint64_t>(k)}; }
inline Version point_version(int k) { return 1 + static_cast<Version>(k % 3); }
inline Point point_value(int k, Version v) { return Point{k * 0.5, static_cast<double>(v), k}; }
inline std::string erased_name(int k) { return "gone/" + std::to_string(k); }
inline Version erased_version(int k) { return 1 + static_cast<Version>(k % 3); }

inline std::uint64_t expected_objects() { return kCells + kPoints; }

/// Creates every object (each rank its share), writes each up to its version, erases the erased ones.
inline void populate(Runtime& rt) {
  for (int k = rt.rank(); k < kCells; k += rt.size()) {
    rt.create(cell_name(k), cell_value(k, 1));
    for (Version v = 2; v <= cell_version(k); ++v) rt.write(cell_name(k), cell_value(k, v));
  }
  for (int k = rt.rank(); k < kPoints; k += rt.size()) {
    rt.create(point_id(k), point_value(k, 1));
    for (Version v = 2; v <= point_version(k); ++v) rt.write(point_id(k), point_value(k, v));
  }
  for (int k = rt.rank(); k < kErased; k += rt.size()) {
    rt.create(erased_name(k), Point{});
    for (Version v = 2; v <= erased_version(k); ++v) rt.write(erased_name(k), Point{});
    rt.erase(erased_name(k));
  }
  rt.barrier();
}

/// Moves every object to the next rank, so that owners are not the homes a restore will use.
inline void scatter(Runtime& rt) {
  std::vector<Move> moves;
  for (ObjectId id : rt.local_objects()) moves.push_back({id, (rt.rank() + 1) % rt.size()});
  rt.migrate(moves);
}

inline std::uint64_t sum_over_ranks(std::uint64_t value) {
  std::uint64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

/// Every object with its value and version, read by every rank; each at its home rank in this job, each
/// rank owning exactly the objects whose home it is; erased objects come back above their version.
inline void verify_restored(Runtime& rt) {
  std::set<ObjectId> expected_here;
  for (int k = 0; k < kCells; ++k) {
    const auto cell = rt.read<Cell>(cell_name(k));
    EXPECT_EQ(cell.version, cell_version(k)) << cell_name(k);
    EXPECT_EQ(cell.value, cell_value(k, cell_version(k))) << cell_name(k);
    EXPECT_EQ(rt.info(cell_name(k)).name, cell_name(k));
    const int home = placement::home_rank(ObjectId::from_name(cell_name(k)), rt.size());
    EXPECT_EQ(rt.owner_of(cell_name(k)), home) << cell_name(k);
    if (home == rt.rank()) expected_here.insert(ObjectId::from_name(cell_name(k)));
  }
  for (int k = 0; k < kPoints; ++k) {
    const auto point = rt.read<Point>(point_id(k));
    EXPECT_EQ(point.version, point_version(k)) << k;
    EXPECT_EQ(point.value, point_value(k, point_version(k))) << k;
    const int home = placement::home_rank(point_id(k), rt.size());
    EXPECT_EQ(rt.owner_of(point_id(k)), home);
    if (home == rt.rank()) expected_here.insert(point_id(k));
  }
  for (int k = 0; k < kErased; ++k) EXPECT_THROW(rt.read<Point>(erased_name(k)), ObjectErased) << erased_name(k);
  // A serving barrier before any plain MPI collective: other ranks may still be reading from this one.
  rt.barrier();
  const std::vector<ObjectId> local = rt.local_objects();
  EXPECT_EQ(std::set<ObjectId>(local.begin(), local.end()), expected_here);
  EXPECT_EQ(sum_over_ranks(local.size()), expected_objects());
  // Versions keep growing from where they were: a write continues the restored version, and an erased object
  // created again continues after its tombstone.
  for (int k = rt.rank(); k < kErased; k += rt.size()) {
    rt.create(erased_name(k), Point{1, 2, k});
    EXPECT_EQ(rt.info(erased_name(k)).version, erased_version(k) + 1) << erased_name(k);
  }
  for (int k = rt.rank(); k < kCells; k += 7 * rt.size())
    EXPECT_EQ(rt.write(cell_name(k), cell_value(k, 99)), cell_version(k) + 1) << cell_name(k);
  rt.check_invariants();
}

/// One directory for all ranks (rank 0 names it): under the build tree's temporary folder.
inline std::filesystem::path shared_directory(const std::string& leaf) {
  std::filesystem::path base = std::filesystem::temp_directory_path();
  int pid = 0;
  if (int rank = 0; MPI_Comm_rank(MPI_COMM_WORLD, &rank), rank == 0) pid = static_cast<int>(::getpid());
  MPI_Bcast(&pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return base / ("penumbra-ckpt-" + std::to_string(pid)) / leaf;
}

}  // namespace penumbra::checkpoint_test
