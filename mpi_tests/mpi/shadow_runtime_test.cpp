// Shadows through the Runtime: reads move to local copies after a shadow epoch, copies follow the owner's
// writes within the staleness bound, and every read returns a value the owner actually wrote.
#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <boost/serialization/vector.hpp>
#include <numeric>

#include "penumbra/penumbra.hpp"
#include "shadow_test_support.hpp"

namespace penumbra {
namespace {

using shadow_test::Cell;
using shadow_test::cell_of;
using shadow_test::name_at;
using shadow_test::shadow_config;

// Every rank but the owner reads `ref` `reads` times (to the owner, since nobody holds a copy yet).
template <class T>
void read_from_non_owners(Runtime& rt, ObjectRef ref, int reads) {
  if (rt.owner_of(ref) != rt.rank())
    for (int i = 0; i < reads; ++i) rt.read<T>(ref);
  rt.barrier();
}

TEST(ShadowRuntime, ReadHotObjectGetsCopiesOnItsReaders) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "shadows need a reader that is not the owner";
  if (rt.rank() == 0) rt.create("hot", cell_of(1));
  rt.barrier();
  read_from_non_owners<Cell>(rt, "hot", 50);
  rt.update_shadows();

  const int owner = rt.owner_of("hot");
  const ShadowStats after_epoch = rt.shadow_stats();
  // k = 2 copies, never more, never on the owner: each non-owner either holds one or not.
  const long held = after_epoch.shadows_held;
  long total_held = 0;
  MPI_Allreduce(&held, &total_held, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total_held, std::min(2, rt.size() - 1));
  if (rt.rank() == owner) {
    EXPECT_EQ(held, 0);
  }

  const auto before = rt.shadow_stats().local_hits;
  const auto [value, version] = rt.read<Cell>("hot");
  EXPECT_EQ(value.step, 1);
  EXPECT_EQ(value.payload[14], 114.0);
  EXPECT_EQ(version, 1U);
  if (held == 1) {
    EXPECT_EQ(rt.shadow_stats().local_hits, before + 1) << "a holder reads its own copy";
  }
  rt.barrier();
}

TEST(ShadowRuntime, CopiesFollowWritesWithinTheStalenessBound) {
  for (std::int64_t bound : {0, 2}) {
    Runtime rt{MPI_COMM_WORLD, shadow_config(bound)};
    if (rt.size() == 1) GTEST_SKIP();
    if (rt.rank() == 0) rt.create("counter", cell_of(0));
    rt.barrier();
    read_from_non_owners<Cell>(rt, "counter", 50);
    rt.update_shadows();
    const bool owner = rt.owner_of("counter") == rt.rank();
    for (std::int64_t step = 1; step <= 7; ++step) {
      std::int64_t written = 0;
      if (owner) written = static_cast<std::int64_t>(rt.write("counter", cell_of(step)));
      MPI_Bcast(&written, 1, MPI_INT64_T, rt.owner_of("counter"), MPI_COMM_WORLD);  // the owner's write returned
      const auto [value, version] = rt.read<Cell>("counter");
      EXPECT_GE(static_cast<std::int64_t>(version), written - bound) << "bound " << bound << " step " << step;
      EXPECT_LE(static_cast<std::int64_t>(version), written);
      // A copy is a whole version: the value is the one written at that version (version k+1 holds step k).
      EXPECT_EQ(value.step, static_cast<std::int64_t>(version) - 1);
      EXPECT_EQ(value.payload[3], static_cast<double>(value.step * 100 + 3));
      rt.barrier();
    }
    const ShadowStats stats = rt.shadow_stats();
    if (owner) {
      EXPECT_GT(stats.pushes, 0U);
    }
  }
}

TEST(ShadowRuntime, MinimumVersionSkipsAnOlderCopy) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(5)};  // copies may lag: the owner pushes lazily
  if (rt.size() == 1) GTEST_SKIP();
  if (rt.rank() == 0) rt.create("lagging", cell_of(0));
  rt.barrier();
  read_from_non_owners<Cell>(rt, "lagging", 50);
  rt.update_shadows();
  std::int64_t written = 0;
  if (rt.owner_of("lagging") == rt.rank()) written = static_cast<std::int64_t>(rt.write("lagging", cell_of(1)));
  MPI_Bcast(&written, 1, MPI_INT64_T, rt.owner_of("lagging"), MPI_COMM_WORLD);
  const auto fresh = rt.read<Cell>("lagging", ReadOptions{.min_version = static_cast<Version>(written)});
  EXPECT_EQ(fresh.version, static_cast<Version>(written));
  EXPECT_EQ(fresh.value.step, 1);
  rt.barrier();
}

// rt.read keeps what its reads of a held shadow resolved (read_handle.hpp, ReadCacheTable): a holder's repeated
// reads take that inline path, and it must honour min_version and count its hits like the full path.
TEST(ShadowRuntime, RepeatedReadsOfAHeldShadowHonourTheMinimumVersion) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(5)};  // the owner pushes lazily: the shadow lags after the write
  if (rt.size() == 1) GTEST_SKIP();
  if (rt.rank() == 0) rt.create("cached", cell_of(0));
  rt.barrier();
  read_from_non_owners<Cell>(rt, "cached", 50);
  rt.update_shadows();
  const bool holder = rt.holds_shadow("cached");
  if (holder) {
    rt.read<Cell>("cached");  // resolves, checks the checksum, keeps the slot
    const ShadowStats before = rt.shadow_stats();
    for (int i = 0; i < 10; ++i) EXPECT_EQ(rt.read<Cell>("cached").value.step, 0);
    EXPECT_EQ(rt.shadow_stats().local_hits, before.local_hits + 10);
  }
  rt.barrier();
  std::int64_t written = 0;
  if (rt.owner_of("cached") == rt.rank()) written = static_cast<std::int64_t>(rt.write("cached", cell_of(1)));
  MPI_Bcast(&written, 1, MPI_INT64_T, rt.owner_of("cached"), MPI_COMM_WORLD);
  if (holder) {
    const auto fresh = rt.read<Cell>("cached", ReadOptions{.min_version = static_cast<Version>(written)});
    EXPECT_EQ(fresh.version, static_cast<Version>(written));
    EXPECT_EQ(fresh.value.step, 1);
  }
  rt.barrier();
}

TEST(ShadowRuntime, WriteHotObjectIsNotShadowed) {
  Config config = shadow_config(0);
  // Home copies make the owner's copy one-sided too, and on the default (dedicated-core) costs a shadow of
  // "calm" then saves ~0.02 us a read: this test is about shadows, so the owner answers two-sided here.
  config.shadow.home_copies = false;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP();
  if (rt.rank() == 0) {
    rt.create("churn", cell_of(0));
    rt.create("calm", cell_of(0));
  }
  rt.barrier();
  // Each read of "churn" comes with twenty writes: keeping a copy fresh would cost its owner more than the
  // reads it saves. "calm", read as often and never written, shows the same readers do get copies.
  if (rt.owner_of("churn") != rt.rank()) {
    rt.read<Cell>("churn");
    for (int i = 0; i < 20; ++i) rt.write("churn", cell_of(i));
  }
  if (rt.owner_of("calm") != rt.rank())
    for (int i = 0; i < 20; ++i) rt.read<Cell>("calm");
  rt.barrier();
  rt.update_shadows();
  const auto count_everywhere = [&](const char* name) {
    long held = rt.holds_shadow(name) ? 1 : 0, total = 0;
    MPI_Allreduce(&held, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    return total;
  };
  EXPECT_EQ(count_everywhere("churn"), 0);
  EXPECT_GT(count_everywhere("calm"), 0);
  rt.barrier();
}

TEST(ShadowRuntime, BadReadsOfShadowedObjectsGetTypedErrors) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP();
  if (rt.rank() == 0) rt.create("typed", cell_of(1));
  rt.barrier();
  read_from_non_owners<Cell>(rt, "typed", 50);
  rt.update_shadows();
  // Holders answer from their copy, the others from the owner: the same errors either way. Two good reads
  // first, so that a holder's rt.read keeps the slot (its table) when the wrong type comes.
  EXPECT_EQ(rt.read<Cell>("typed").value.step, 1);
  EXPECT_EQ(rt.read<Cell>("typed").value.step, 1);
  EXPECT_THROW(rt.read<double>("typed"), WrongType);
  EXPECT_THROW((rt.read<std::array<double, 64>>("typed")), WrongType) << "larger than the slot's payload";
  EXPECT_THROW(rt.read<Cell>("never-created"), UnknownObject);
  rt.barrier();
  if (rt.owner_of("typed") == rt.rank()) rt.erase("typed");
  rt.barrier();
  EXPECT_THROW(rt.read<Cell>("typed"), ObjectErased) << "no rank may read an erased object from a copy";
  rt.barrier();
}

TEST(ShadowRuntime, SerializableValuesAreCopiedWhole) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP();
  std::vector<double> values(1000);
  std::iota(values.begin(), values.end(), 0.5);
  if (rt.rank() == 0) rt.create("vector", values);
  rt.barrier();
  read_from_non_owners<std::vector<double>>(rt, "vector", 50);
  rt.update_shadows();
  EXPECT_EQ(rt.read<std::vector<double>>("vector").value, values);
  rt.barrier();  // everyone has read version 1 before the owner writes version 2
  // A larger value no longer fits the slot: the copy is dropped and readers still get the new value.
  values.resize(5000, 7.0);
  if (rt.owner_of("vector") == rt.rank()) rt.write("vector", values);
  rt.barrier();
  EXPECT_EQ(rt.read<std::vector<double>>("vector").value, values);
  rt.barrier();
}

long sum_over_ranks(std::size_t mine) {
  long value = static_cast<long>(mine), total = 0;
  MPI_Allreduce(&value, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

// shadow.keep_copies_on_move: the copies of a migrated object stay copies, its old owner keeps its value as
// one more, the new owner holds none of its own object, and every copy follows the new owner's writes.
TEST(ShadowRuntime, AMovedObjectKeepsItsCopies) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};  // 0 versions behind: each write is pushed before it returns
  if (rt.size() == 1) GTEST_SKIP() << "a move needs two ranks";
  const std::string name = name_at(rt, 0, "kept/");
  if (rt.rank() == 0) rt.create(name, cell_of(1));
  rt.barrier();
  read_from_non_owners<Cell>(rt, name, 50);
  rt.update_shadows();
  const bool held_before = rt.holds_shadow(name);
  ASSERT_EQ(sum_over_ranks(held_before), std::min(2, rt.size() - 1)) << "the premise: the readers hold copies";
  // Rank 1 may hold a copy itself: it becomes the owner, and an owner holds no shadow of its own object.
  const long copies_after_move = sum_over_ranks(held_before && rt.rank() != 1) + 1;

  std::vector<Move> moves;
  if (rt.rank() == 0) moves.push_back({ObjectId::from_name(name), 1});
  rt.migrate(moves);
  ASSERT_EQ(rt.owner_of(name), 1);
  if (rt.rank() == 0) {
    EXPECT_TRUE(rt.holds_shadow(name)) << "the old owner keeps its value as a shadow";
  }
  if (rt.rank() == 1) {
    EXPECT_FALSE(rt.holds_shadow(name)) << "the new owner holds no shadow of its own object";
    EXPECT_EQ(rt.shadow_stats().copies_elsewhere, static_cast<std::size_t>(copies_after_move));
    EXPECT_EQ(rt.shadow_stats().copies_kept_at_moves, static_cast<std::uint64_t>(copies_after_move));
  }
  EXPECT_EQ(sum_over_ranks(rt.holds_shadow(name)), copies_after_move);
  if (rt.holds_shadow(name)) {  // the version the move carried, read here
    const ShadowStats before = rt.shadow_stats();
    const auto cell = rt.read<Cell>(name);
    EXPECT_EQ(cell.value.step, 1);
    EXPECT_EQ(rt.shadow_stats().local_hits, before.local_hits + 1);
  }
  rt.barrier();

  Version written = 0;
  if (rt.rank() == 1) written = rt.write(name, cell_of(2));
  MPI_Bcast(&written, 1, MPI_UINT64_T, 1, MPI_COMM_WORLD);
  rt.barrier();
  if (rt.holds_shadow(name)) {  // pushed by the new owner into the slots it was handed
    const ShadowStats before = rt.shadow_stats();
    const auto cell = rt.read<Cell>(name);
    EXPECT_EQ(cell.value.step, 2);
    EXPECT_EQ(cell.value.payload[7], 207.0);
    EXPECT_EQ(cell.version, written);
    EXPECT_EQ(rt.shadow_stats().local_hits, before.local_hits + 1);
    EXPECT_EQ(rt.shadow_stats().owner_reads, before.owner_reads) << "the new owner must not be asked";
  }
  rt.barrier();
  rt.update_shadows();  // the new owner values the copies it was handed like any others
  rt.check_invariants();
}

// Read-your-writes: a rank that wrote another rank's object never reads an older version back, even from a
// copy it holds that may lag the owner (here by up to 5 versions, and never pushed by age).
TEST(ShadowRuntime, AWriterNeverReadsBackAnOlderVersionThanItWrote) {
  Config config = shadow_config(5);
  config.shadow.max_age_us = 1e9;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a holder that is not the owner";
  const std::string name = name_at(rt, 0, "mine/");
  if (rt.rank() == 0) rt.create(name, cell_of(1));
  rt.barrier();
  ReadHandle<Cell> handle = rt.read_handle<Cell>(name);
  if (rt.rank() != 0)
    for (int i = 0; i < 50; ++i) handle.read();
  rt.barrier();
  rt.update_shadows();
  int mine = rt.holds_shadow(name) ? rt.rank() : rt.size(), writer = 0;  // the lowest rank holding a copy
  MPI_Allreduce(&mine, &writer, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  ASSERT_LT(writer, rt.size()) << "the premise: a reader holds a copy";
  if (rt.rank() == writer) {
    EXPECT_EQ(handle.read().value.step, 1);  // the handle serves the copy inline from here on
    const Version written = rt.write(name, cell_of(2));
    EXPECT_EQ(handle.read().value.step, 2) << "through the handle";
    const auto cell = rt.read<Cell>(name);
    EXPECT_EQ(cell.value.step, 2) << "through rt.read";
    EXPECT_GE(cell.version, written);
  }
  rt.barrier();
  rt.check_invariants();
}

TEST(ShadowRuntime, ErasedObjectsLoseTheirCopiesAndMovedOnesServeTheNewOwnersWrites) {
  Runtime rt{MPI_COMM_WORLD, shadow_config(0)};
  if (rt.size() == 1) GTEST_SKIP();
  if (rt.rank() == 0) {
    rt.create("gone", cell_of(1));
    rt.create("moving", cell_of(2));
  }
  rt.barrier();
  read_from_non_owners<Cell>(rt, "gone", 50);
  read_from_non_owners<Cell>(rt, "moving", 50);
  rt.update_shadows();
  if (rt.owner_of("gone") == rt.rank()) rt.erase("gone");
  rt.barrier();
  EXPECT_THROW(rt.read<Cell>("gone"), ObjectErased);
  std::vector<Move> moves;
  const int target = (rt.owner_of("moving") + 1) % rt.size();
  if (rt.owner_of("moving") == rt.rank()) moves.push_back({ObjectId::from_name("moving"), target});
  rt.migrate(moves);
  EXPECT_EQ(rt.owner_of("moving"), target);
  if (rt.rank() == target) rt.write("moving", cell_of(3));
  rt.barrier();
  EXPECT_EQ(rt.read<Cell>("moving").value.step, 3) << "no reader may keep the pre-migration copy";
  rt.update_shadows();
  rt.check_invariants();
}

}  // namespace
}  // namespace penumbra

namespace penumbra {
namespace {

// A rank that holds no copy reads from a third rank's shadow, one-sided (the metadata service says where):
// the owner serves none of those reads, and each returns a version the owner wrote.
TEST(ShadowRuntime, NonHolderReadsTheNearestCopyWithoutTheOwner) {
  Config config = shadow_config(0);
  config.shadow.home_copies = false;  // the copy read must be a third rank's, not the owner's home copy
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() < 4) GTEST_SKIP() << "needs an owner, two holders and a reader that holds nothing";
  const int owner = rt.owner_of("nearest");
  if (rt.rank() == owner) rt.create("nearest", cell_of(1));
  rt.barrier();
  // The two ranks after the owner read it most: they get the k = 2 copies. The last non-owner reads it once.
  const int first = (owner + 1) % rt.size(), second = (owner + 2) % rt.size(), reader = (owner + 3) % rt.size();
  if (rt.rank() == first || rt.rank() == second)
    for (int i = 0; i < 100; ++i) rt.read<Cell>("nearest");
  if (rt.rank() == reader) rt.read<Cell>("nearest");
  rt.barrier();
  rt.update_shadows();
  if (rt.rank() == first || rt.rank() == second) {
    EXPECT_TRUE(rt.holds_shadow("nearest"));
  }

  const ShadowStats before = rt.shadow_stats();
  if (rt.rank() == reader) {
    ASSERT_FALSE(rt.holds_shadow("nearest"));
    for (int i = 0; i < 20; ++i) {
      const auto cell = rt.read<Cell>("nearest");
      EXPECT_EQ(cell.version, 1u);
      EXPECT_EQ(cell.value.payload[3], cell_of(1).payload[3]);
    }
    const ShadowStats after = rt.shadow_stats();
    EXPECT_EQ(after.remote_hits - before.remote_hits, 20u);
    EXPECT_EQ(after.owner_reads, before.owner_reads) << "the owner must not be asked";
    // The read costs the policy weighs: the read before the epoch went to the owner, these were one-sided.
    EXPECT_EQ(before.one_sided_read_us, 0.0);
    EXPECT_GT(before.owner_read_us, 0.0);
    EXPECT_GT(after.one_sided_read_us, 0.0);
    EXPECT_EQ(after.owner_read_us, before.owner_read_us);
  }
  rt.barrier();

  // A new version: with max_versions_behind = 0 the owner's write returns after the copies have it, so a
  // read that demands it is served (by a copy or, failing that, the owner) at that version.
  Version written = 0;
  if (rt.rank() == owner) written = rt.write("nearest", cell_of(2));
  MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);
  rt.barrier();
  if (rt.rank() == reader) {
    const auto cell = rt.read<Cell>("nearest", ReadOptions{.min_version = written});
    EXPECT_EQ(cell.version, written);
    EXPECT_EQ(cell.value.step, 2);
  }
  rt.barrier();
}

// A shadow epoch that changes nothing about an object's copies leaves every rank's cached lookup of it alone;
// an epoch that gives it a new copy makes every rank look it up again, so that readers find the copy.
TEST(ShadowRuntime, AnEpochForgetsOnlyTheLookupsOfObjectsWhoseCopiesChanged) {
  Config config = shadow_config(0);
  config.shadow.home_copies = false;  // the copies are the two holders' shadows
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() < 4) GTEST_SKIP() << "needs an owner, two holders and a reader that holds nothing";
  const int owner = rt.owner_of("steady");
  const int first = (owner + 1) % rt.size(), second = (owner + 2) % rt.size(), reader = (owner + 3) % rt.size();
  if (rt.rank() == owner) rt.create("steady", cell_of(1));
  rt.barrier();
  // The holders read it most, every window; the reader once per window (no copy of its own).
  const auto window = [&] {
    if (rt.rank() == first || rt.rank() == second)
      for (int i = 0; i < 100; ++i) rt.read<Cell>("steady");
    if (rt.rank() == reader) {
      EXPECT_EQ(rt.read<Cell>("steady").value.step, 1);
    }
    rt.barrier();
    rt.update_shadows();
  };
  window();  // places the copies on the holders: a change, so the reader's lookup (no locations) is forgotten
  window();  // the reader's read looks the object up again and finds the copies; the epoch changes nothing
  ASSERT_EQ(rt.holds_shadow("steady"), rt.rank() == first || rt.rank() == second);
  if (rt.rank() == reader) {
    const ShadowStats before = rt.shadow_stats();
    EXPECT_EQ(rt.read<Cell>("steady").value.step, 1);
    const ShadowStats after = rt.shadow_stats();
    EXPECT_EQ(after.remote_hits, before.remote_hits + 1) << "read one-sided from a holder";
    EXPECT_EQ(after.lookup_gets, before.lookup_gets) << "the cached entry survived the epoch";
    EXPECT_EQ(after.lookup_cache_hits, before.lookup_cache_hits + 1);
  }
  rt.barrier();
}

}  // namespace
}  // namespace penumbra

namespace penumbra {
namespace {

// Home copies (shadow.home_copies): an owner publishes its remotely read objects in its own window, so that
// readers without a copy of their own read them one-sided. Five reads per reader are worth a home copy
// (5 x 2.3 us of the owner's service time) but not a shadow on the default dedicated-core costs (a local
// read saves ~0.02 us over a one-sided one): the tests below see home copies alone.
Config home_config(std::int64_t max_versions_behind) {
  Config config = shadow_config(max_versions_behind);
  config.shadow.home_copies = true;
  return config;
}

// Every rank but the owner of `name` reads it `reads` times, then a shadow epoch.
template <class T>
void read_remotely_then_epoch(Runtime& rt, const std::string& name, int reads) {
  if (rt.owner_of(name) != rt.rank())
    for (int i = 0; i < reads; ++i) rt.read<T>(name);
  rt.barrier();
  rt.update_shadows();
}

TEST(HomeCopies, RemoteReadersGetEveryWriteOneSided) {
  // max_versions_behind = 5: shadows may lag, a home copy may not (it is rewritten inside the write).
  Runtime rt{MPI_COMM_WORLD, home_config(5)};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = rt.owner_of("published");
  if (rt.rank() == owner) rt.create("published", cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, "published", 5);
  long published = static_cast<long>(rt.shadow_stats().home_copies), total = 0;
  MPI_Allreduce(&published, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total, 1) << "the owner, and only it, publishes the object";
  EXPECT_FALSE(rt.holds_shadow("published")) << "the premise: five reads are not worth a shadow";

  for (std::int64_t step = 2; step <= 6; ++step) {
    Version written = 0;
    if (rt.rank() == owner) written = rt.write("published", cell_of(step));
    MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);
    rt.barrier();
    if (rt.rank() != owner) {
      const ShadowStats before = rt.shadow_stats();
      const auto cell = rt.read<Cell>("published");  // no min_version: the latest must be there already
      const ShadowStats after = rt.shadow_stats();
      EXPECT_EQ(cell.version, written);
      EXPECT_EQ(cell.value.step, step);
      EXPECT_EQ(cell.value.payload[7], cell_of(step).payload[7]);
      EXPECT_EQ(after.remote_hits, before.remote_hits + 1) << "step " << step;
      EXPECT_EQ(after.owner_reads, before.owner_reads) << "the owner's CPU must not be asked (step " << step << ")";
    }
    rt.barrier();
  }
}

TEST(HomeCopies, WithoutThemReadersAskTheOwner) {
  Config config = home_config(0);
  config.shadow.home_copies = false;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  if (rt.rank() == rt.owner_of("unpublished")) rt.create("unpublished", cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, "unpublished", 5);
  long published = static_cast<long>(rt.shadow_stats().home_copies), total = 0;
  MPI_Allreduce(&published, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total, 0);
  // Five reads valued against the owner's two-sided service are worth a shadow on some readers; a reader
  // without one must ask the owner, since nothing else is one-sided with max_copies = 2.
  if (rt.rank() != rt.owner_of("unpublished") && !rt.holds_shadow("unpublished")) {
    const ShadowStats before = rt.shadow_stats();
    EXPECT_EQ(rt.read<Cell>("unpublished").value.step, 1);
    const ShadowStats after = rt.shadow_stats();
    EXPECT_EQ(after.owner_reads + after.remote_hits, before.owner_reads + before.remote_hits + 1);
  }
  rt.barrier();
}

// A value that outgrows its home slot gives the slot up at once (readers ask the owner and get the new value);
// the next epoch publishes it again in a slot that fits.
TEST(HomeCopies, AnOutgrownValueIsReadFromTheOwnerUntilRepublished) {
  Runtime rt{MPI_COMM_WORLD, home_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = rt.owner_of("growing");
  if (rt.rank() == owner) rt.create("growing", std::vector<double>(4, 1.0));
  rt.barrier();
  read_remotely_then_epoch<std::vector<double>>(rt, "growing", 5);
  if (rt.rank() == owner) {
    EXPECT_EQ(rt.shadow_stats().home_copies, 1u);
    rt.write("growing", std::vector<double>(4096, 2.0));  // 32 KiB: far past the slot's room to grow
    EXPECT_EQ(rt.shadow_stats().home_copies, 0u);
  }
  rt.barrier();
  if (rt.rank() != owner) {
    const ShadowStats before = rt.shadow_stats();
    for (int i = 0; i < 5; ++i) {  // as many reads as before: the policy's trend must not fall
      const auto value = rt.read<std::vector<double>>("growing");
      EXPECT_EQ(value.value, std::vector<double>(4096, 2.0));
    }
    EXPECT_EQ(rt.shadow_stats().owner_reads, before.owner_reads + 5);
  }
  rt.barrier();
  rt.update_shadows();  // the reads above count: the owner publishes the grown value
  if (rt.rank() == owner) {
    EXPECT_EQ(rt.shadow_stats().home_copies, 1u);
  }
  rt.barrier();
  if (rt.rank() != owner) {
    const ShadowStats before = rt.shadow_stats();
    EXPECT_EQ(rt.read<std::vector<double>>("growing").value, std::vector<double>(4096, 2.0));
    EXPECT_EQ(rt.shadow_stats().remote_hits, before.remote_hits + 1);
  }
  rt.barrier();
}

// A migrated object's home copy is released by its old owner at the move; readers then get the new owner's
// value, and the next epoch publishes it from the new owner. (Without keeping copies on moves: with it, the
// old owner's value stays as a shadow, which ShadowRuntime.AMovedObjectKeepsItsCopies checks.)
TEST(HomeCopies, AMovedObjectIsPublishedByItsNewOwner) {
  Config config = home_config(0);
  config.shadow.keep_copies_on_move = false;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = rt.owner_of("travelling");
  const int target = (owner + 1) % rt.size();
  if (rt.rank() == owner) rt.create("travelling", cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, "travelling", 5);
  std::vector<Move> moves;
  if (rt.rank() == owner) moves.push_back({ObjectId::from_name("travelling"), target});
  rt.migrate(moves);
  if (rt.rank() == owner) {
    EXPECT_EQ(rt.shadow_stats().home_copies, 0u) << "released at the move";
  }
  if (rt.rank() == target) rt.write("travelling", cell_of(2));
  rt.barrier();
  if (rt.rank() != target) {
    EXPECT_EQ(rt.read<Cell>("travelling").value.step, 2);
  }
  rt.barrier();
  rt.update_shadows();
  if (rt.rank() == target) {
    EXPECT_EQ(rt.shadow_stats().home_copies, 1u);
  }
  rt.barrier();
  if (rt.rank() != target) {
    const ShadowStats before = rt.shadow_stats();
    const auto cell = rt.read<Cell>("travelling");
    EXPECT_EQ(cell.value.step, 2);
    EXPECT_EQ(rt.shadow_stats().remote_hits, before.remote_hits + 1);
  }
  rt.barrier();
  rt.check_invariants();
}

// shadow.declared_reads: when a move splits two declared neighbours across ranks, each owner publishes a home
// copy as the move lands, so the first read across is one-sided; without it, that read asks the owner (whose
// answer waits for its next call). The rebalance epoch before the moves is what tells every rank the graph.
TEST(HomeCopies, DeclaredNeighboursSplitByAMoveAreReadOneSidedAtOnce) {
  for (const bool declared : {true, false}) {
    Config config = home_config(0);
    config.shadow.declared_reads = declared;
    config.balance.strategy = "static";
    Runtime rt{MPI_COMM_WORLD, config};
    if (rt.size() == 1) GTEST_SKIP() << "needs two ranks";
    for (const char* name : {"left", "right"})
      if (rt.rank() == rt.owner_of(name)) rt.create(name, cell_of(name[0] == 'l' ? 1 : 2));
    rt.barrier();
    if (rt.rank() == 0) rt.declare_dependency("left", "right", 2.0 * sizeof(Cell));
    rt.rebalance();  // static: gathers the snapshot (and its graph), moves nothing
    const int home = rt.owner_of("left");
    const int away = (home + 1) % rt.size();
    // First together on `home` (nothing read across: nothing to publish), then split.
    for (const int to : {home, away}) {
      std::vector<Move> moves;
      if (rt.rank() == rt.owner_of("right") && to != rt.rank()) moves.push_back({ObjectId::from_name("right"), to});
      rt.migrate(moves);
    }
    ASSERT_EQ(rt.owner_of("right"), away);
    if (rt.rank() == away) {
      const ShadowStats before = rt.shadow_stats();
      EXPECT_EQ(rt.read<Cell>("left").value.step, 1);
      const ShadowStats after = rt.shadow_stats();
      if (declared) {
        EXPECT_EQ(after.owner_reads, before.owner_reads) << "the home copy was published as the move landed";
        EXPECT_EQ(after.remote_hits, before.remote_hits + 1);
      } else {
        EXPECT_EQ(after.owner_reads, before.owner_reads + 1) << "the premise: without it, the owner answers";
      }
    }
    if (rt.rank() == home) {
      EXPECT_EQ(rt.shadow_stats().home_copies, declared ? 1u : 0u);
      EXPECT_EQ(rt.shadow_stats().homes_published_ahead, declared ? 1u : 0u) << "published by the landing";
    }
    rt.barrier();
    rt.check_invariants();
  }
}

// Resident home copies (shadow.resident_bytes): a home copy of a trivially copyable object is the object's
// storage on its owner, outside the shadow budget; the store keeps no private copy.

TEST(ResidentHomeCopies, TheSlotIsTheOwnersOnlyCopyAndFollowsItsWrites) {
  Runtime rt{MPI_COMM_WORLD, home_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = rt.owner_of("resident");
  if (rt.rank() == owner) rt.create("resident", cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, "resident", 5);
  const ShadowStats published = rt.shadow_stats();
  EXPECT_EQ(sum_over_ranks(published.resident_home_copies), 1) << "the owner's store took the slot as its value";
  EXPECT_EQ(sum_over_ranks(published.home_copies), 1);
  if (rt.rank() == owner) {
    EXPECT_GE(published.resident_bytes, sizeof(Cell));
    EXPECT_EQ(published.held_bytes, 0u) << "a resident home copy is not in the shadow budget";
  }
  for (std::int64_t step = 2; step <= 5; ++step) {
    Version written = 0;
    std::shared_ptr<const Cell> before_write;
    if (rt.rank() == owner) {
      before_write = rt.view<Cell>("resident").value;
      written = rt.write("resident", cell_of(step));
      EXPECT_EQ(before_write->step, step - 1) << "a view is a snapshot: the slot's rewrite must not reach it";
      const auto own = rt.read<Cell>("resident");
      EXPECT_EQ(own.version, written);
      EXPECT_EQ(own.value.step, step);
      EXPECT_EQ(own.value.payload[14], cell_of(step).payload[14]);
      EXPECT_EQ(rt.view<Cell>("resident").value->step, step);
      EXPECT_EQ(rt.shadow_stats().resident_home_copies, 1u) << "each write's value becomes resident again";
    }
    MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);
    rt.barrier();
    if (rt.rank() != owner) {
      const ShadowStats before = rt.shadow_stats();
      const auto cell = rt.read<Cell>("resident");
      EXPECT_EQ(cell.version, written);
      EXPECT_EQ(cell.value.step, step);
      EXPECT_EQ(rt.shadow_stats().owner_reads, before.owner_reads) << "step " << step;
    }
    rt.barrier();
  }
  rt.check_invariants();
}

// When the policy gives a resident home copy up, the owner's value must leave the slot with it: the slot is
// then reused for the next home copy, and the first object must still read as itself.
TEST(ResidentHomeCopies, AReleasedSlotLeavesTheValueWithItsOwner) {
  Runtime rt{MPI_COMM_WORLD, home_config(0)};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = 0;
  const std::string first = name_at(rt, owner, "resident-first/");
  const std::string second = name_at(rt, owner, "resident-second/");
  if (rt.rank() == owner) rt.create(first, cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, first, 5);
  ASSERT_EQ(sum_over_ranks(rt.shadow_stats().resident_home_copies), 1);
  // Written often and no longer read: the home copy costs more than it saves, and the epoch releases it.
  std::int64_t last = 1;
  if (rt.rank() == owner)
    for (last = 2; last <= 2000; ++last) rt.write(first, cell_of(last));
  MPI_Bcast(&last, 1, MPI_INT64_T, owner, MPI_COMM_WORLD);
  --last;
  rt.barrier();
  rt.update_shadows();
  ASSERT_EQ(sum_over_ranks(rt.shadow_stats().home_copies), 0) << "the premise: the write-hot copy is released";
  // A new home copy of the same size takes the freed slot (first fit) and writes its own bytes there.
  if (rt.rank() == owner) rt.create(second, cell_of(-7));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, second, 5);
  ASSERT_EQ(sum_over_ranks(rt.shadow_stats().resident_home_copies), 1) << "the premise: the second is resident";
  const auto read_first = rt.read<Cell>(first);
  EXPECT_EQ(read_first.value.step, last);
  EXPECT_EQ(read_first.value.payload[3], cell_of(last).payload[3]);
  EXPECT_EQ(rt.read<Cell>(second).value.step, -7);
  rt.barrier();
  rt.check_invariants();
}

// Resident bytes are separate from the budget: a zero resident region keeps home copies inside the budget, as
// second copies (the store keeps its own).
TEST(ResidentHomeCopies, WithoutAResidentRegionHomeCopiesAreSecondCopies) {
  Config config = home_config(0);
  config.shadow.resident_bytes = 0;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a reader that is not the owner";
  const int owner = rt.owner_of("second-copy");
  if (rt.rank() == owner) rt.create("second-copy", cell_of(1));
  rt.barrier();
  read_remotely_then_epoch<Cell>(rt, "second-copy", 5);
  const ShadowStats stats = rt.shadow_stats();
  EXPECT_EQ(sum_over_ranks(stats.home_copies), 1);
  EXPECT_EQ(sum_over_ranks(stats.resident_home_copies), 0);
  if (rt.rank() == owner) {
    EXPECT_EQ(stats.resident_bytes, 0u);
    EXPECT_GE(stats.held_bytes, sizeof(Cell)) << "the home copy is in the budget";
    rt.write("second-copy", cell_of(2));
  }
  rt.barrier();
  EXPECT_EQ(rt.read<Cell>("second-copy").value.step, 2);
  rt.barrier();
}

}  // namespace
}  // namespace penumbra
