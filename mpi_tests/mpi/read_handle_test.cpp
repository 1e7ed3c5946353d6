// ReadHandle (Runtime::read_handle): a handle reads what Runtime::read would, through shadow epochs, slot
// reuse, migrations and erasures; its reads count for the shadow policy and the load monitor; a rank in a hot
// loop of handle reads keeps serving other ranks' requests.
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <string>
#include <vector>

#include "penumbra/penumbra.hpp"
#include "shadow_test_support.hpp"

namespace penumbra {
namespace {

using shadow_test::Cell;
using shadow_test::cell_of;
using shadow_test::name_at;
using shadow_test::shadow_config;

// The whole value is the one written at `step` (a copy of another object or a torn one is not).
void expect_cell(const Cell& cell, std::int64_t step) {
  EXPECT_EQ(cell.step, step);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(cell.payload[i], static_cast<double>(step * 100 + i)) << "payload " << i;
}

long sum_over_ranks(long mine) {
  long total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

// Every rank but the owner reads `ref` `reads` times through a handle, then a shadow epoch.
void read_from_non_owners_then_epoch(Runtime& rt, ReadHandle<Cell>& handle, ObjectRef ref, int reads) {
  if (rt.owner_of(ref) != rt.rank())
    for (int i = 0; i < reads; ++i) handle.read();
  rt.barrier();
  rt.update_shadows();
}

TEST(ReadHandle, SeesEveryVersionWithinTheStalenessBound) {
  for (std::int64_t bound : {0, 2}) {
    Runtime rt{MPI_COMM_WORLD, shadow_config(bound)};
    if (rt.size() == 1) GTEST_SKIP() << "shadows need a reader that is not the owner";
    if (rt.rank() == 0) rt.create("counter", cell_of(0));
    rt.barrier();
    ReadHandle<Cell> handle = rt.read_handle<Cell>("counter");
    read_from_non_owners_then_epoch(rt, handle, "counter", 50);
    const int owner = rt.owner_of("counter");
    const bool holder = rt.holds_shadow("counter");
    EXPECT_EQ(sum_over_ranks(holder ? 1 : 0), std::min(2, rt.size() - 1)) << "the premise: copies were placed";
    const std::uint64_t hits_before = rt.shadow_stats().local_hits;
    for (std::int64_t step = 1; step <= 7; ++step) {
      Version written = 0;
      if (rt.rank() == owner) written = rt.write("counter", cell_of(step));
      MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);  // the owner's write returned
      for (int i = 0; i < 20; ++i) {
        const auto [value, version] = handle.read();
        EXPECT_GE(version + static_cast<Version>(bound), written) << "bound " << bound << " step " << step;
        EXPECT_LE(version, written);
        expect_cell(value, static_cast<std::int64_t>(version) - 1);  // version k + 1 holds step k
      }
      // Read-your-writes through the handle: a copy behind min_version is skipped.
      const auto fresh = handle.read(ReadOptions{.min_version = written});
      EXPECT_EQ(fresh.version, written);
      expect_cell(fresh.value, step);
      rt.barrier();
    }
    if (holder) {
      EXPECT_GE(rt.shadow_stats().local_hits, hits_before + 7 * 15) << "a holder's handle reads its own copy";
    }
    rt.barrier();
  }
}

// A holder's handle on an object whose shadow an epoch evicts, the slot then holding another object's copy
// (one slot per rank: the same bytes, the same version, hence the same sequence word): the handle must see
// that the slot is no longer its object's and read the object elsewhere.
TEST(ReadHandle, NeverReadsASlotReusedForAnotherObject) {
  Config config = shadow_config(0);
  config.shadow.home_copies = false;                // owners' windows stay empty: copies are shadows only
  config.shadow.budget_bytes = 256;                 // one slot of a 128-byte Cell (64-byte header, 192 bytes)
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "shadows need a reader that is not the owner";
  const int owner = 0, reader = 1;
  const std::string first = name_at(rt, owner, "first/"), second = name_at(rt, owner, "second/");
  if (rt.rank() == owner) {
    rt.create(first, cell_of(1));
    rt.create(second, cell_of(2));
  }
  rt.barrier();
  ReadHandle<Cell> handle = rt.read_handle<Cell>(first);
  if (rt.rank() == reader)
    for (int i = 0; i < 50; ++i) expect_cell(handle.read().value, 1);
  rt.barrier();
  rt.update_shadows();
  ASSERT_EQ(rt.rank() == reader, rt.holds_shadow(first)) << "the premise: the reader holds the only copy";
  // A handle resolved while the copy is held (the one above resolved before the epoch, and again after it).
  ReadHandle<Cell> made_with_the_copy = rt.read_handle<Cell>(first);
  if (rt.rank() == reader) {
    const std::uint64_t hits = rt.shadow_stats().local_hits;
    for (int i = 0; i < 5; ++i) {
      expect_cell(handle.read().value, 1);
      expect_cell(made_with_the_copy.read().value, 1);
    }
    EXPECT_EQ(rt.shadow_stats().local_hits, hits + 10) << "the handles read the shadow";
    for (int i = 0; i < 500; ++i) rt.read<Cell>(second);  // worth more than `first`'s five: it takes the slot
  }
  rt.barrier();
  rt.update_shadows();
  if (rt.rank() == reader) {
    ASSERT_FALSE(rt.holds_shadow(first)) << "the premise: the epoch evicted the copy";
    ASSERT_TRUE(rt.holds_shadow(second)) << "the premise: the other object's copy took the slot";
    for (ReadHandle<Cell>* reading : {&handle, &made_with_the_copy})
      for (int i = 0; i < 10; ++i) {
        const auto [value, version] = reading->read();
        EXPECT_EQ(version, 1u);
        expect_cell(value, 1);  // not `second`'s cell_of(2), which the reused slot holds at version 1 too
      }
    EXPECT_EQ(rt.read<Cell>(second).value.step, 2);
  }
  rt.barrier();
  Version written = 0;
  if (rt.rank() == owner) written = rt.write(first, cell_of(3));
  MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);
  for (ReadHandle<Cell>* reading : {&handle, &made_with_the_copy}) {
    const auto after_write = reading->read();
    EXPECT_EQ(after_write.version, written) << "no copy of `first` is left: the owner's value";
    expect_cell(after_write.value, 3);
  }
  rt.barrier();
}

// Handles made before a migration on every rank (the owner's reads its store, holders' their shadows, the others'
// go to the owner) read the new owner's values after it, and after the next epoch; then erase reaches them all.
TEST(ReadHandle, FollowsItsObjectAcrossAMigrationAndAnErase) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "a migration needs another rank";
  const std::string name = "travelling";
  const int owner = rt.owner_of(name), target = (owner + 1) % rt.size();
  if (rt.rank() == owner) rt.create(name, cell_of(1));
  rt.barrier();
  ReadHandle<Cell> handle = rt.read_handle<Cell>(name);
  read_from_non_owners_then_epoch(rt, handle, name, 50);
  expect_cell(handle.read().value, 1);  // every kind of source resolved and cached
  std::vector<Move> moves;
  if (rt.rank() == owner) moves.push_back({ObjectId::from_name(name), target});
  rt.migrate(moves);
  Version written = 0;
  if (rt.rank() == target) written = rt.write(name, cell_of(2));
  MPI_Bcast(&written, 1, MPI_UINT64_T, target, MPI_COMM_WORLD);
  for (int i = 0; i < 5; ++i) {
    const auto [value, version] = handle.read();
    EXPECT_EQ(version, written) << "the old copies were dropped at the move: the new owner answers";
    expect_cell(value, 2);
  }
  rt.barrier();
  read_from_non_owners_then_epoch(rt, handle, name, 50);  // the new owner places its own copies
  for (int i = 0; i < 5; ++i) {
    const auto [value, version] = handle.read();
    EXPECT_EQ(version, written);
    expect_cell(value, 2);
  }
  rt.barrier();
  if (rt.rank() == target) rt.erase(name);
  rt.barrier();
  EXPECT_THROW(handle.read(), ObjectErased) << "no rank may read an erased object through a handle";
  rt.barrier();
  // Created again with another type: the handle's type no longer matches.
  if (rt.rank() == rt.owner_of(name)) rt.create(name, 2.5);
  rt.barrier();
  EXPECT_THROW(handle.read(), WrongType);
  rt.barrier();
  rt.check_invariants();
}

TEST(ReadHandle, TypeAndExistenceAreCheckedAtCreation) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.rank() == 0) rt.create("typed", cell_of(1));
  rt.barrier();
  ReadHandle<Cell> warm = rt.read_handle<Cell>("typed");
  read_from_non_owners_then_epoch(rt, warm, "typed", 50);
  // The owner checks its store, a holder or any other rank asks the owner: the same errors everywhere.
  EXPECT_THROW(rt.read_handle<double>("typed"), WrongType);
  EXPECT_THROW(rt.read_handle<Cell>("never-created"), UnknownObject);
  EXPECT_TRUE(ReadHandle<Cell>{}.empty());
  EXPECT_THROW(ReadHandle<Cell>{}.read(), InvalidArgument);
  rt.barrier();
  if (rt.rank() == rt.owner_of("typed")) rt.erase("typed");
  rt.barrier();
  EXPECT_THROW(rt.read_handle<Cell>("typed"), ObjectErased);
  rt.barrier();
}

// Reads through a handle count where Runtime::read's do: ShadowStats, the load monitor's accesses, and the
// shadow policy's read counts. With one copy allowed, a holder that reads through its handle ten times more
// than another reader reads the object keeps the copy; had the handle's reads not counted, it would go.
TEST(ReadHandle, ReadsCountForTheShadowPolicyAndTheMonitor) {
  Config config = shadow_config(0);
  config.shadow.max_copies = 1;
  config.shadow.home_copies = false;  // the one copy is a shadow on a reader
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() < 3) GTEST_SKIP() << "needs an owner and two readers";
  const int owner = 0, holder = 1, other = 2;
  const std::string name = name_at(rt, owner, "counted/");
  if (rt.rank() == owner) rt.create(name, cell_of(1));
  rt.barrier();
  ReadHandle<Cell> handle = rt.read_handle<Cell>(name);
  if (rt.rank() == holder)
    for (int i = 0; i < 100; ++i) handle.read();
  if (rt.rank() == other)
    for (int i = 0; i < 50; ++i) rt.read<Cell>(name);
  rt.barrier();
  rt.update_shadows();
  ASSERT_EQ(rt.rank() == holder, rt.holds_shadow(name)) << "the premise: the heavier reader holds the copy";

  for (int window = 0; window < 2; ++window) {
    if (rt.rank() == holder) {
      const auto id = ObjectId::from_name(name);
      auto reads_here = [&] {
        for (const ObjectLoad& load : rt.monitor().snapshot().objects)
          if (load.id == id)
            for (const AccessCounts& counts : load.accesses)
              if (counts.origin_rank == rt.rank()) return std::pair(counts.reads, counts.bytes_read);
        return std::pair<std::uint64_t, std::uint64_t>(0, 0);
      };
      const auto [reads_before, bytes_before] = reads_here();
      const std::uint64_t hits_before = rt.shadow_stats().local_hits;
      for (int i = 0; i < 2000; ++i) handle.read();
      const auto [reads_after, bytes_after] = reads_here();
      EXPECT_EQ(reads_after - reads_before, 2000u) << "every handle read is in the monitor";
      EXPECT_EQ(bytes_after - bytes_before, 2000u * sizeof(Cell));
      EXPECT_EQ(rt.shadow_stats().local_hits - hits_before, 2000u) << "every handle read was a hit";
    }
    if (rt.rank() == other)
      for (int i = 0; i < 200; ++i) rt.read<Cell>(name);
    rt.barrier();
    rt.update_shadows();
    EXPECT_EQ(rt.rank() == holder, rt.holds_shadow(name)) << "window " << window << ": the copy stays where the reads are";
  }
  rt.barrier();
}

// A rank in a hot loop of handle reads (and nothing else) still answers other ranks: the owner of `hot` writes
// `flag`, which the looping rank owns; the loop ends when its handle on `flag` sees the write.
TEST(ReadHandle, AHotLoopKeepsServingOtherRanks) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "needs a rank that waits for the looping one";
  const int owner = 0, looper = 1;
  const std::string hot = name_at(rt, owner, "hot/"), flag = name_at(rt, looper, "flag/");
  if (rt.rank() == owner) rt.create(hot, cell_of(1));
  if (rt.rank() == looper) rt.create(flag, cell_of(0));
  rt.barrier();
  ReadHandle<Cell> hot_handle = rt.read_handle<Cell>(hot);
  shadow_test::read_then_place_shadow(rt, hot_handle, looper);
  if (rt.rank() == looper) {
    EXPECT_TRUE(rt.holds_shadow(hot)) << "the premise: the loop reads a shadow (the inline path)";
    ReadHandle<Cell> flag_handle = rt.read_handle<Cell>(flag);
    const auto started = std::chrono::steady_clock::now();
    std::int64_t loops = 0;
    while (flag_handle.read().version < 2 && std::chrono::steady_clock::now() - started < std::chrono::seconds(60)) {
      for (int i = 0; i < 100; ++i) hot_handle.read();
      ++loops;
    }
    EXPECT_EQ(flag_handle.read().version, 2u) << "the write was not served in " << loops << " loops";
    expect_cell(flag_handle.read().value, 7);
  } else if (rt.rank() == owner) {
    EXPECT_EQ(rt.write(flag, cell_of(7)), 2u);  // waits for the looper to serve it
  }
  rt.barrier();
}

}  // namespace
}  // namespace penumbra
