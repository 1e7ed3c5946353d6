// The shadow metadata service across ranks: registration through the homes, one-sided lookups, the cache,
// the version rule, replicas answering for a damaged primary, and lookups while the home does not call MPI.
// Every test runs at 1, 2, 4 and 8 ranks; those that need a second rank skip at 1.
#include <gtest/gtest.h>
#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "../unit/metadata_test_support.hpp"
#include "metadata/batch.hpp"
#include "metadata/service.hpp"
#include "mpi/check.hpp"
#include "penumbra/errors.hpp"
#include "transport/messenger.hpp"
#include "world.hpp"

namespace penumbra::metadata {
namespace {

using penumbra::testing_support::world_rank;
using penumbra::testing_support::world_size;

using testing_support::location_at;
using testing_support::locations_at;

// A service wired as the Runtime will wire it: a messenger whose handler gives metadata_update requests to
// MetadataService::serve. quiesce() is the barrier that serves requests while it waits.
class Node {
 public:
  explicit Node(const Options& options, SelfAccess access = SelfAccess::automatic)
      : service(MPI_COMM_WORLD, options, access),
        messenger(mpi::Communicator::duplicate(MPI_COMM_WORLD),
                  [this](int, transport::Request request) { return service.serve(request); }) {}
  ~Node() {
    try {
      messenger.quiesce();  // no request in flight when the window is freed
    } catch (...) {
    }
  }
  void quiesce() { messenger.quiesce(); }
  void flush() { service.flush(messenger); }

  MetadataService service;
  transport::Messenger messenger;
};

// What rank `rank` registers as its k-th object, written down independently of the service.
Entry object(int rank, int k, int ranks) {
  const auto index = static_cast<std::uint64_t>(k);
  return Entry{ObjectId{(static_cast<std::uint64_t>(rank + 1) << 32) | (index * 2654435761ULL % 0xffffffffULL)},
               index % 4 + 1, rank, locations_at({(rank + 1) % ranks, (rank + k) % ranks}),
               100ULL * static_cast<std::uint64_t>(rank) + index + 1};
}

constexpr int kObjectsPerRank = 48;

void register_objects(Node& node) {
  for (int k = 0; k < kObjectsPerRank; ++k) node.service.stage(object(node.service.rank(), k, node.service.size()));
  node.flush();
  node.quiesce();
}

// An id homed at `home` (rank 0 when `home` homes no shard) that no test registers: their ids have a nonzero
// upper half.
ObjectId unregistered_id_homed_at(const MetadataService& service, int home) {
  if (!service.layout().is_home(home)) home = 0;
  for (std::uint64_t id = 1;; ++id)
    if (service.home_of(ObjectId{id}) == home) return ObjectId{id};
}

struct Setup {
  Mode mode;
  SelfAccess access;
};

std::string setup_name(const testing::TestParamInfo<Setup>& info) {
  return to_string(info.param.mode) + (info.param.access == SelfAccess::rma ? "_rma" : "_direct");
}

class MetadataServiceTest : public testing::TestWithParam<Setup> {
 protected:
  static Options options() {
    Options options;
    options.mode = GetParam().mode;
    options.slots_per_shard = 2048;
    return options;
  }
  Node node{options(), GetParam().access};
  MetadataService& service = node.service;
  const int rank = world_rank();
  const int ranks = world_size();
};

INSTANTIATE_TEST_SUITE_P(Modes, MetadataServiceTest,
                         testing::Values(Setup{Mode::sharded, SelfAccess::automatic},
                                         Setup{Mode::centralized, SelfAccess::automatic},
                                         Setup{Mode::sharded, SelfAccess::rma},
                                         Setup{Mode::centralized, SelfAccess::rma}),
                         setup_name);

TEST_P(MetadataServiceTest, EveryRankFindsEveryObject) {
  register_objects(node);
  service.reset_counters();
  std::uint64_t remote = 0;
  for (int r = 0; r < ranks; ++r)
    for (int k = 0; k < kObjectsPerRank; ++k) {
      const Entry expected = object(r, k, ranks);
      remote += service.home_of(expected.id) != rank;
      const std::optional<Entry> found = service.lookup(expected.id);
      ASSERT_TRUE(found) << "rank " << r << " object " << k;
      EXPECT_EQ(*found, expected) << "rank " << r << " object " << k;
    }
  EXPECT_FALSE(service.lookup(unregistered_id_homed_at(service, 0)));
  EXPECT_FALSE(service.lookup(unregistered_id_homed_at(service, ranks - 1)));
  const Counters& counters = service.counters();
  EXPECT_GE(counters.gets, remote);  // every remotely homed id took at least one Get...
  EXPECT_EQ(counters.torn_retries, 0U);
  EXPECT_EQ(counters.replica_fallbacks, 0U);
  EXPECT_EQ(counters.not_found, 2U);
  if (GetParam().mode == Mode::centralized && rank != 0) {
    EXPECT_EQ(remote, static_cast<std::uint64_t>(ranks * kObjectsPerRank));
  }
  node.quiesce();
}

TEST_P(MetadataServiceTest, SecondLookupIsCachedUntilANewerVersionIsSeen) {
  register_objects(node);
  // The object every rank watches: rank 0's first, re-registered by rank 0 with a newer version below.
  const Entry first = object(0, 0, ranks);
  const bool home_here = service.home_of(first.id) == rank;
  ASSERT_EQ(service.lookup(first.id), first);
  const std::uint64_t gets = service.counters().gets;
  const std::uint64_t hits = service.counters().cache_hits;
  ASSERT_EQ(service.lookup(first.id), first);
  if (!home_here) {
    EXPECT_EQ(service.counters().gets, gets);  // answered by the cache: no Get
    EXPECT_EQ(service.counters().cache_hits, hits + 1);
    EXPECT_EQ(service.cached_entries(), 1U);
    // In place, as the one-sided read path takes it: the same entry, counted as a cache hit, no Get.
    const Entry* in_place = service.cached(first.id);
    ASSERT_NE(in_place, nullptr);
    EXPECT_EQ(*in_place, first);
    EXPECT_EQ(service.counters().cache_hits, hits + 2);
    EXPECT_EQ(service.counters().gets, gets);
  } else {
    EXPECT_EQ(service.cached(first.id), nullptr);  // the home reads its own shard: nothing is cached
  }
  node.quiesce();

  Entry second = first;
  second.version = first.version + 1;
  second.locations = locations_at({ranks - 1});
  if (rank == 0) service.stage(second);
  node.flush();
  node.quiesce();

  if (home_here || rank == 0) {
    // The home reads its own shard, and staging dropped rank 0's cached copy: both see the update at once.
    EXPECT_EQ(service.lookup(first.id), second);
  } else {
    EXPECT_EQ(service.lookup(first.id), first);  // loosely consistent: the cache still holds version 1
    EXPECT_FALSE(service.invalidate_if_newer(first.id, first.version));
    EXPECT_EQ(service.lookup(first.id), first);
    EXPECT_TRUE(service.invalidate_if_newer(first.id, second.version));
    const std::uint64_t before = service.counters().gets;
    EXPECT_EQ(service.lookup(first.id), second);
    EXPECT_GT(service.counters().gets, before);
    EXPECT_EQ(service.lookup(first.id), second);  // cached again
    EXPECT_EQ(service.fetch(first.id), second);   // fetch reads the copies whatever the cache holds
    service.forget(first.id);
    EXPECT_EQ(service.cached_entries(), 0U);
    EXPECT_EQ(service.cached(first.id), nullptr);
  }
  node.quiesce();
}

TEST_P(MetadataServiceTest, VersionsOnlyGrow) {
  // Every rank updates one object in turn (rank r at version 10 - r: older the later it comes), then rank 0
  // moves it at the newest version it has; the flushes are ordered by the quiesces in between.
  const ObjectId id{0x5eed};
  const auto entry = [&](Version version, int owner) { return Entry{id, version, owner, {}, version}; };
  for (int r = 0; r < ranks; ++r) {
    if (rank == r) service.stage(entry(static_cast<Version>(10 - std::min(r, 9)), r));
    node.flush();
    node.quiesce();
  }
  EXPECT_EQ(service.fetch(id), entry(10, 0));
  node.quiesce();  // every rank has checked before the next update (its home may apply it at once)
  if (rank == ranks - 1) service.stage(entry(10, ranks - 1));  // same version: a move
  node.flush();
  node.quiesce();
  EXPECT_EQ(service.fetch(id), entry(10, ranks - 1));
  node.quiesce();
  if (rank == 0) service.stage(entry(11, 0));
  node.flush();
  node.quiesce();
  EXPECT_EQ(service.fetch(id), entry(11, 0));
  node.quiesce();
}

TEST_P(MetadataServiceTest, EraseHidesTheObjectAndOlderUpdatesCannotReviveIt) {
  register_objects(node);
  const Entry victim = object(ranks - 1, 3, ranks);
  const Entry neighbour = object(ranks - 1, 4, ranks);
  ASSERT_EQ(service.lookup(victim.id), victim);  // cached on most ranks
  node.quiesce();
  if (rank == ranks - 1) service.stage_erase(victim.id, victim.version);
  node.flush();
  node.quiesce();
  service.invalidate_if_newer(victim.id, victim.version + 1);  // what a rank does when it hears of the erase
  EXPECT_FALSE(service.lookup(victim.id));
  EXPECT_EQ(service.lookup(neighbour.id), neighbour);
  node.quiesce();
  if (rank == 0) service.stage(victim);  // the erased version: ignored
  node.flush();
  node.quiesce();
  EXPECT_FALSE(service.fetch(victim.id));
  node.quiesce();
  Entry revived = victim;
  revived.version += 1;
  if (rank == 0) service.stage(revived);
  node.flush();
  node.quiesce();
  EXPECT_EQ(service.fetch(victim.id), revived);
  node.quiesce();
}

TEST_P(MetadataServiceTest, ADamagedPrimaryIsServedByAReplicaUntilTheHomeScrubs) {
  register_objects(node);
  const Entry target = object(0, 5, ranks);
  const int home = service.home_of(target.id);
  service.clear_cache();
  if (rank == home) service.corrupt_local_record_for_testing(target.id, 0);
  node.quiesce();

  service.reset_counters();
  EXPECT_EQ(service.fetch(target.id), target);
  const Counters after = service.counters();
  if (rank != home) {
    if (ranks >= 2) {
      EXPECT_EQ(after.torn_retries, static_cast<std::uint64_t>(MetadataService::kTornRetries));
      EXPECT_EQ(after.replica_fallbacks, 1U);
    }
  } else {
    EXPECT_EQ(after.replica_fallbacks, 0U);  // the home answers from its private copy
  }
  node.quiesce();

  EXPECT_EQ(service.scrub(), rank == home ? 1U : 0U);
  node.quiesce();
  service.reset_counters();
  EXPECT_EQ(service.fetch(target.id), target);
  EXPECT_EQ(service.counters().replica_fallbacks, 0U);
  EXPECT_EQ(service.counters().torn_retries, 0U);
  node.quiesce();
}

TEST_P(MetadataServiceTest, ATornReadIsReadAgain) {
  register_objects(node);
  const Entry target = object(ranks - 1, 2, ranks);
  const bool reader = service.home_of(target.id) != rank;  // the home answers from its private copy
  // The first probe run read arrives with a byte of its first record changed, as a Get that overlapped the
  // home's rewrite of that record would (the record in the id's home slot is never empty when the id is there).
  int reads = 0;
  service.set_read_filter_for_testing([&](int, int copy, std::span<std::byte> run) {
    EXPECT_EQ(copy, 0);
    if (reads++ == 0) run[16] ^= std::byte{0x40};
  });
  service.clear_cache();
  service.reset_counters();
  EXPECT_EQ(service.fetch(target.id), target);
  EXPECT_EQ(service.counters().torn_retries, reader ? 1U : 0U);
  EXPECT_EQ(service.counters().replica_fallbacks, 0U);
  EXPECT_EQ(reads, reader ? 2 : 0);
  service.set_read_filter_for_testing({});
  node.quiesce();
}

TEST_P(MetadataServiceTest, APrimaryTornOnEveryReadIsAnsweredByAReplica) {
  if (service.layout().copies() < 2) GTEST_SKIP() << "one copy only";
  register_objects(node);
  const Entry target = object(0, 3, ranks);
  const bool reader = service.home_of(target.id) != rank;
  std::vector<int> copies_read;
  service.set_read_filter_for_testing([&](int, int copy, std::span<std::byte> run) {
    copies_read.push_back(copy);
    if (copy == 0) run[0] ^= std::byte{0x01};  // the sequence word odd: caught mid-write, every time
  });
  service.clear_cache();
  service.reset_counters();
  EXPECT_EQ(service.fetch(target.id), target);
  if (reader) {
    EXPECT_EQ(service.counters().torn_retries, static_cast<std::uint64_t>(MetadataService::kTornRetries));
    EXPECT_EQ(service.counters().replica_fallbacks, 1U);
    const std::vector<int> expected_copies{0, 0, 0, 0, 1};
    EXPECT_EQ(copies_read, expected_copies);  // kTornRetries + 1 reads of the primary, then the first replica
  } else {
    EXPECT_TRUE(copies_read.empty());
  }
  service.set_read_filter_for_testing({});
  node.quiesce();
}

TEST_P(MetadataServiceTest, LookupAtLeastAVersionRefreshesAnOlderCachedEntry) {
  if (ranks < 2) GTEST_SKIP() << "the home reads its own shard, nothing is cached";
  register_objects(node);
  const Entry first = object(1, 1, ranks);
  const int home = service.home_of(first.id);
  ASSERT_EQ(service.lookup(first.id), first);
  node.quiesce();
  Entry newer = first;
  newer.version += 5;
  newer.owner = 0;
  newer.locations = locations_at({0});
  if (rank == 1) service.stage(newer);
  node.flush();
  node.quiesce();
  if (rank != home && rank != 1) {
    EXPECT_EQ(service.lookup(first.id, first.version), first);  // cached, new enough for the caller
    EXPECT_EQ(service.lookup(first.id, newer.version), newer);  // the caller saw a newer version: read again
    EXPECT_EQ(service.lookup(first.id), newer);
  } else {
    EXPECT_EQ(service.lookup(first.id, newer.version), newer);
  }
  node.quiesce();
}

TEST_P(MetadataServiceTest, ServeRefusesOtherOperations) {
  transport::Request request;
  request.operation = transport::Operation::read;
  EXPECT_THROW(service.serve(request), InvalidArgument);
  node.quiesce();
}

TEST_P(MetadataServiceTest, EveryCopyDamagedIsASerializationErrorUntilTheHomeScrubs) {
  if (ranks < 2) GTEST_SKIP() << "one copy only";
  register_objects(node);
  const Entry target = object(ranks - 1, 7, ranks);
  const int home = service.home_of(target.id);
  const std::vector<int> holders = service.layout().holders(home);
  ASSERT_EQ(holders.size(), 2U);
  if (rank == holders[0]) service.corrupt_local_record_for_testing(target.id, 0);
  if (rank == holders[1]) service.corrupt_local_record_for_testing(target.id, 1);
  EXPECT_THROW(service.corrupt_local_record_for_testing(target.id, 2), InvalidArgument);
  node.quiesce();
  if (rank != home) {
    EXPECT_THROW(service.fetch(target.id), SerializationError);
  }
  node.quiesce();
  EXPECT_EQ(service.scrub(), rank == home ? 2U : 0U);
  node.quiesce();
  EXPECT_EQ(service.fetch(target.id), target);
  node.quiesce();
}

TEST_P(MetadataServiceTest, ConcurrentUpdatesAreNeverSeenTorn) {
  if (ranks < 2) GTEST_SKIP() << "needs a reader besides the home";
  // The home rewrites one record as fast as it can while every other rank reads it one-sidedly: each entry a
  // reader gets must be one the home wrote whole, and versions must never go back.
  const ObjectId id = unregistered_id_homed_at(service, 0);
  constexpr Version kLast = 400;
  const auto entry = [&](Version version) {
    const int v = static_cast<int>(version);
    return Entry{id, version, v % ranks, locations_at({(v + 1) % ranks, (v + 2) % ranks}), version * 3 + 1};
  };
  if (rank == 0) service.stage(entry(1));
  node.flush();
  node.quiesce();
  service.reset_counters();
  if (rank == 0) {
    for (Version version = 2; version <= kLast; ++version) {
      service.stage(entry(version));
      service.flush(node.messenger);  // the home's own shard: applied in place, no message
    }
  } else {
    Version last_seen = 0;
    std::uint64_t reads = 0;
    while (last_seen < kLast) {
      const std::optional<Entry> got = service.fetch(id);
      ++reads;
      ASSERT_TRUE(got);
      ASSERT_EQ(*got, entry(got->version));
      ASSERT_GE(got->version, last_seen);
      last_seen = got->version;
    }
    EXPECT_GE(reads, 1U);
  }
  node.quiesce();
}

TEST_P(MetadataServiceTest, LookupsDoNotNeedTheHomesCpu) {
  if (ranks < 2) GTEST_SKIP() << "needs a rank besides the home";
  register_objects(node);
  // Rank 0 homes a shard in both modes. While the others look up everything homed there, rank 0 spins on a
  // flag word the others set with MPI_Put when they are done, calling no MPI function at all.
  auto comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  auto flags = mpi::Window::allocate(comm, rank == 0 ? static_cast<std::size_t>(ranks) : 0);
  if (rank == 0) std::memset(flags.base(), 0, static_cast<std::size_t>(ranks));
  {
    mpi::LockAllEpoch epoch(flags);
    comm.barrier();
    if (rank == 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      int done = 0;
      while (done < ranks - 1 && std::chrono::steady_clock::now() < deadline) {
        done = 0;
        for (int r = 1; r < ranks; ++r)
          done += std::atomic_ref<unsigned char>(reinterpret_cast<unsigned char*>(flags.base())[r])
                      .load(std::memory_order_acquire);
        std::this_thread::yield();  // share the core with the readers (8 ranks on 2 cores)
      }
      EXPECT_EQ(done, ranks - 1) << "the readers did not finish while rank 0 stayed out of MPI";
    } else {
      std::size_t homed_at_zero = 0;
      for (int r = 0; r < ranks; ++r)
        for (int k = 0; k < kObjectsPerRank; ++k) {
          const Entry expected = object(r, k, ranks);
          if (service.home_of(expected.id) != 0) continue;
          ++homed_at_zero;
          EXPECT_EQ(service.fetch(expected.id), expected);
        }
      EXPECT_GT(homed_at_zero, 0U);
      const unsigned char one = 1;
      flags.put(std::as_bytes(std::span(&one, 1)), 0, static_cast<std::size_t>(rank));
      flags.flush(0);
    }
    comm.barrier();
  }
  node.quiesce();
}

TEST_P(MetadataServiceTest, BadBatchesAreRejectedAtTheHome) {
  const std::vector<std::byte> garbage(40, std::byte{0x5a});
  if (service.layout().is_home(rank)) {
    EXPECT_THROW(service.apply_batch(garbage), SerializationError);
    if (ranks > 1 && GetParam().mode == Mode::sharded) {
      const std::vector<Update> elsewhere{
          Update{Update::Kind::upsert, Entry{unregistered_id_homed_at(service, (rank + 1) % ranks), 1, 0, {}, 0}}};
      EXPECT_THROW(service.apply_batch(encode_batch(elsewhere)), InvalidArgument);
    }
  } else {
    const std::vector<Update> any{Update{Update::Kind::upsert, Entry{ObjectId{1}, 1, 0, {}, 0}}};
    EXPECT_THROW(service.apply_batch(encode_batch(any)), InvalidArgument);  // centralized: not a home
  }
  EXPECT_THROW(service.stage(Entry{ObjectId{1}, 1, ranks, {}, 0}), InvalidArgument);
  EXPECT_THROW(service.stage(Entry{ObjectId{1}, 1, 0, {Location{-1, 64, 64}}, 0}), InvalidArgument);
  EXPECT_THROW(service.stage(Entry{ObjectId{1}, 1, 0, {Location{ranks, 64, 64}}, 0}), InvalidArgument);
  EXPECT_THROW(service.stage(Entry{ObjectId{1}, 1, 0, std::vector<Location>(9, location_at(0)), 0}), InvalidArgument);
  EXPECT_THROW(service.stage(Entry{ObjectId{1}, 0, 0, {}, 0}), InvalidArgument);
  EXPECT_EQ(service.staged_updates(), 0U);
  node.quiesce();
}

// ---- tests with their own options ----

TEST(MetadataService, ReplicasAreClampedToTheRankCount) {
  Options options;
  options.replicas = 5;
  options.slots_per_shard = 256;
  Node node(options);
  EXPECT_EQ(node.service.layout().copies(), std::min(5, world_size()));
  register_objects(node);
  for (int k = 0; k < kObjectsPerRank; ++k) {
    const Entry expected = object(world_size() - 1, k, world_size());
    EXPECT_EQ(node.service.lookup(expected.id), expected);
  }
  node.quiesce();
}

TEST(MetadataService, AFullShardFailsTheFlushAndKeepsTheUpdatesStaged) {
  Options options;
  options.mode = Mode::centralized;
  options.slots_per_shard = 16;  // 31 records with the probe overflow
  Node node(options);
  MetadataService& service = node.service;
  const int rank = world_rank();
  for (int k = 0; k < 40; ++k) service.stage(object(rank, k, world_size()));
  try {
    node.flush();
    ADD_FAILURE() << "40 objects fit a shard of 16 slots";
  } catch (const ConfigError& error) {
    EXPECT_EQ(rank, 0);  // the home's own batch fails locally with the typed error
    EXPECT_EQ(error.key(), "metadata.slots_per_shard");
  } catch (const RemoteError& error) {
    EXPECT_NE(rank, 0);  // the others hear it from the home
    EXPECT_EQ(error.failing_rank(), 0);
    EXPECT_NE(std::string(error.what()).find("metadata.slots_per_shard"), std::string::npos) << error.what();
  }
  EXPECT_EQ(service.staged_updates(), 40U);
  node.quiesce();
  EXPECT_FALSE(service.fetch(object(rank, 0, world_size()).id));  // a failed batch applies nothing
  EXPECT_EQ(service.discard_staged(), 40U);
  // Smaller batches that fit still go through afterwards.
  if (rank == 0)
    for (int k = 0; k < 10; ++k) service.stage(object(rank, k, world_size()));
  node.flush();
  node.quiesce();
  EXPECT_EQ(service.fetch(object(0, 9, world_size()).id), object(0, 9, world_size()));
  node.quiesce();
}

TEST(MetadataService, TheCacheStaysWithinItsCapacity) {
  Options options;
  options.cache_entries = 8;
  options.slots_per_shard = 256;
  Node node(options);
  register_objects(node);
  const int ranks = world_size();
  for (int pass = 0; pass < 2; ++pass)
    for (int r = 0; r < ranks; ++r)
      for (int k = 0; k < kObjectsPerRank; ++k) {
        const Entry expected = object(r, k, ranks);
        EXPECT_EQ(node.service.lookup(expected.id), expected);
        EXPECT_LE(node.service.cached_entries(), 8U);
      }
  if (ranks > 1) {
    EXPECT_GT(node.service.counters().cache_evictions, 0U);
  }
  node.quiesce();
}

TEST(MetadataService, OptionsMustAgreeOnEveryRank) {
  if (world_size() < 2) GTEST_SKIP() << "one rank always agrees with itself";
  Options options;
  options.slots_per_shard = 64;
  if (world_rank() == 1) options.replicas = 1;
  EXPECT_THROW(MetadataService(MPI_COMM_WORLD, options), ConfigError);
  Options invalid;
  if (world_rank() == 1) invalid.slots_per_shard = 100;
  if (world_rank() == 1) {
    EXPECT_THROW(MetadataService(MPI_COMM_WORLD, invalid), ConfigError);
  } else {
    EXPECT_THROW(MetadataService(MPI_COMM_WORLD, invalid), RemoteError);
  }
}

TEST(MetadataService, BadOptionsAreConfigErrorsNamingKeyAndValue) {
  struct Case {
    Options options;
    std::string key;
    std::string value;
  };
  std::vector<Case> cases(5);
  cases[0].options.replicas = 0, cases[0].key = "metadata.replicas", cases[0].value = "0";
  cases[1].options.slots_per_shard = 100, cases[1].key = "metadata.slots_per_shard", cases[1].value = "100";
  cases[2].options.max_locations = -1, cases[2].key = "metadata.max_locations", cases[2].value = "-1";
  cases[3].options.cache_entries = std::size_t{1} << 31, cases[3].key = "metadata.cache_entries";
  cases[3].value = "2147483648";
  // Valid one by one, too large together: one copy of a shard would take 2^24 x 6192 bytes.
  cases[4].options.slots_per_shard = kMaxSlotsPerShard, cases[4].options.max_locations = kMaxLocationsLimit;
  cases[4].key = "metadata.slots_per_shard", cases[4].value = "16777216";
  for (const Case& bad : cases) {
    try {
      MetadataService service(MPI_COMM_WORLD, bad.options);
      ADD_FAILURE() << "accepted " << bad.key << " = " << bad.value;
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), bad.key);
      EXPECT_EQ(error.value(), bad.value);
      EXPECT_NE(std::string(error.what()).find(bad.value), std::string::npos) << error.what();
    }
  }
  try {
    parse_mode("distributed");
    ADD_FAILURE() << "accepted metadata.mode = distributed";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "metadata.mode");
    EXPECT_EQ(error.value(), "distributed");
  }
}

TEST(MetadataService, DestructionFreesTheWindowAndCommunicator) {
  const int before = mpi::live_handles();
  {
    Options options;
    options.slots_per_shard = 64;
    MetadataService service(MPI_COMM_WORLD, options);
    EXPECT_GE(mpi::live_handles(), before + 2);
  }
  EXPECT_EQ(mpi::live_handles(), before);
}

}  // namespace
}  // namespace penumbra::metadata
