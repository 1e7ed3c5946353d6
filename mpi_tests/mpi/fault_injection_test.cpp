// Fault injection (fault.* keys): a target over its memory budget, a payload damaged on the way, a rank slow
// to make progress, an owner slow to answer requests. Each migration must end in a full rollback (nothing moved, nothing lost, versions and
// values intact) or complete despite the fault. A user type whose serialization throws during a move is
// covered by migration_test.cpp (FailedSerializationMovesNothing) and, for checkpoints, by checkpoint_test.cpp.
#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <map>

#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

struct Block {  // Boost-serialized, so values travel as archives
  std::string label;
  std::vector<std::int64_t> cells;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& label& cells;
  }
  bool operator==(const Block&) const = default;
};

constexpr int kBlocks = 64;
std::string block_name(int k) { return "block/" + std::to_string(k); }
Version block_version(int k) { return 1 + static_cast<Version>(k % 3); }
// The value computed from the index, so a damaged or lost object cannot pass for the right one.
Block block_value(int k, Version v) {
  return Block{block_name(k) + " v" + std::to_string(v),
               std::vector<std::int64_t>(static_cast<std::size_t>(k % 9 + 16), k * 100 + static_cast<std::int64_t>(v))};
}

std::uint64_t sum_over_ranks(std::uint64_t value) {
  std::uint64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

class FaultInjection : public testing::Test {
 protected:
  void start(const FaultOptions& faults) {
    Config config;
    config.fault = faults;
    config.check_invariants = true;
    rt = std::make_unique<Runtime>(MPI_COMM_WORLD, config);
    if (rt->size() == 1) GTEST_SKIP() << "nothing moves at one rank";
    for (int k = rt->rank(); k < kBlocks; k += rt->size()) {
      rt->create(block_name(k), block_value(k, 1));
      for (Version v = 2; v <= block_version(k); ++v) rt->write(block_name(k), block_value(k, v));
    }
    rt->barrier();
    // Owners re-write their objects so that a move serializes them (as an application's live values are).
    for (ObjectId id : rt->local_objects()) {
      const int k = index_of(id);
      rt->write(id, block_value(k, block_version(k) + 1));
    }
    rt->barrier();
  }
  void TearDown() override { rt.reset(); }

  static int index_of(ObjectId id) {
    for (int k = 0; k < kBlocks; ++k)
      if (ObjectId::from_name(block_name(k)) == id) return k;
    return -1;
  }

  // Every object where `owners` says, with the version and value computed from its index.
  void expect_intact(const std::map<ObjectId, int>& owners) {
    for (int k = 0; k < kBlocks; ++k) {
      const auto block = rt->read<Block>(block_name(k));
      EXPECT_EQ(block.version, block_version(k) + 1) << block_name(k);
      EXPECT_EQ(block.value, block_value(k, block_version(k) + 1)) << block_name(k);
      EXPECT_EQ(rt->owner_of(block_name(k)), owners.at(ObjectId::from_name(block_name(k)))) << block_name(k);
    }
    rt->barrier();  // serving: other ranks may still be reading from this one before the plain MPI collective
    EXPECT_EQ(sum_over_ranks(rt->local_objects().size()), static_cast<std::uint64_t>(kBlocks));
    rt->check_invariants();
  }

  std::map<ObjectId, int> owners_now() const {
    std::map<ObjectId, int> owners;
    for (int k = 0; k < kBlocks; ++k) owners[ObjectId::from_name(block_name(k))] = rt->owner_of(block_name(k));
    return owners;
  }

  // A failed migration: every rank throws (the faulty rank its own error, the others RemoteError naming it)
  // and the message says what went wrong.
  void expect_failed_migration(std::span<const Move> moves, int faulty, const std::string& words) {
    try {
      rt->migrate(moves);
      ADD_FAILURE() << "the migration succeeded despite the fault";
    } catch (const RemoteError& error) {
      EXPECT_NE(rt->rank(), faulty);
      EXPECT_EQ(error.failing_rank(), faulty);
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    } catch (const Error& error) {
      EXPECT_EQ(rt->rank(), faulty) << error.what();
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    }
  }

  std::unique_ptr<Runtime> rt;
};

TEST_F(FaultInjection, TargetOverItsMemoryBudgetRefusesAndEverythingRollsBack) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int faulty = size - 1;
  // Room for about two blocks: the first objects are installed, then one takes the rank over its budget.
  start(FaultOptions{.rank = faulty, .receive_budget_bytes = 600});
  const auto before = owners_now();
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects()) moves.push_back({id, faulty});
  expect_failed_migration(moves, faulty, "over its memory budget");
  expect_intact(before);

  // Within the budget the same rank accepts: the refusal was the budget, not the rank.
  std::vector<Move> one;
  const std::vector<ObjectId> mine = rt->local_objects();
  if (rt->rank() == 0 && !mine.empty()) one.push_back({mine.front(), faulty});
  rt->migrate(one);
  std::uint64_t moved = one.empty() ? 0 : one.front().id.value;
  MPI_Bcast(&moved, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  auto after = before;
  if (moved != 0) after[ObjectId{moved}] = faulty;
  expect_intact(after);
}

TEST_F(FaultInjection, CorruptedPayloadIsCaughtByItsChecksumAndEverythingRollsBack) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int faulty = size > 2 ? 1 : 0;
  start(FaultOptions{.rank = faulty, .corrupt_payload = true});
  const auto before = owners_now();
  // A ring shift: every rank sends and receives, so other receivers install objects that must be undone.
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects()) moves.push_back({id, (rt->rank() + 1) % rt->size()});
  expect_failed_migration(moves, faulty, "failed its checksum");
  expect_intact(before);

  // Moves that avoid the faulty rank as a target still go through.
  std::vector<Move> around;
  const int target = (rt->rank() + 1) % rt->size();
  if (target != faulty)
    for (ObjectId id : rt->local_objects()) around.push_back({id, target});
  rt->migrate(around);
  auto after = before;
  for (int k = 0; k < kBlocks; ++k) {
    const ObjectId id = ObjectId::from_name(block_name(k));
    if ((before.at(id) + 1) % rt->size() != faulty) after[id] = (before.at(id) + 1) % rt->size();
  }
  expect_intact(after);
}

TEST_F(FaultInjection, SlowRankDelaysAMigrationButLosesNothing) {
  constexpr std::int64_t kLateUs = 200'000;
  start(FaultOptions{.rank = 0, .slow_us = kLateUs});
  const auto before = owners_now();
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects()) moves.push_back({id, (rt->rank() + 1) % rt->size()});
  const auto started = std::chrono::steady_clock::now();
  const MigrationReport report = rt->migrate(moves);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Every rank waited for the late one: the fault was injected, and the migration still completed.
  EXPECT_GE(seconds, kLateUs * 1e-6);
  EXPECT_EQ(report.objects_moved_total, static_cast<std::size_t>(kBlocks));
  auto after = before;
  for (auto& [id, owner] : after) owner = (owner + 1) % rt->size();
  expect_intact(after);
}

// Injected (fault.slow_serve_us): the owner of a quarter of the objects answers every request late. Every other
// rank writes its share of that owner's objects through it and then reads them all: nothing is lost, each write
// lands once, and a write visibly waited for the late owner (the fault fired).
TEST_F(FaultInjection, SlowServingOwnerDelaysRequestsButLosesNothing) {
  constexpr std::int64_t kSlowUs = 5'000;
  constexpr int kFaulty = 0;
  start(FaultOptions{.rank = kFaulty, .slow_serve_us = kSlowUs});
  const auto owners = owners_now();
  const int writers = rt->size() - 1;
  // Objects of the faulty rank, each given to one writer: block k goes to writer (k mod writers) + 1.
  const auto writer_of = [&](int k) { return k % writers + 1; };
  const auto rewritten = [](int k, int writer) { return Block{"rewritten by " + std::to_string(writer), {k, writer}}; };
  double slowest_write_s = 0.0;
  for (int k = 0; k < kBlocks; ++k) {
    if (owners.at(ObjectId::from_name(block_name(k))) != kFaulty || writer_of(k) != rt->rank()) continue;
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(rt->write(block_name(k), rewritten(k, rt->rank())), block_version(k) + 2) << block_name(k);
    slowest_write_s = std::max(slowest_write_s,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  rt->barrier();
  if (rt->rank() != kFaulty && slowest_write_s > 0.0) {
    EXPECT_GE(slowest_write_s, kSlowUs * 1e-6) << "a write through the late owner came back before its delay";
  }
  for (int k = 0; k < kBlocks; ++k) {
    const auto block = rt->read<Block>(block_name(k));
    if (owners.at(ObjectId::from_name(block_name(k))) == kFaulty) {
      EXPECT_EQ(block.version, block_version(k) + 2) << block_name(k);
      EXPECT_EQ(block.value, rewritten(k, writer_of(k))) << block_name(k);
    } else {
      EXPECT_EQ(block.version, block_version(k) + 1) << block_name(k);
      EXPECT_EQ(block.value, block_value(k, block_version(k) + 1)) << block_name(k);
    }
  }
  rt->barrier();
  EXPECT_EQ(sum_over_ranks(rt->local_objects().size()), static_cast<std::uint64_t>(kBlocks));
  rt->check_invariants();
}

TEST(FaultInjectionConfig, OffUnlessConfigured) {
  const Config config;
  EXPECT_EQ(config.fault.rank, -1);
  for (int rank = 0; rank < 8; ++rank) EXPECT_FALSE(config.fault.injects_on(rank));
  FaultOptions faults;
  faults.rank = -2;
  EXPECT_THROW(faults.validate(), ConfigError);
  faults = FaultOptions{.slow_us = -1};
  EXPECT_THROW(faults.validate(), ConfigError);
  faults = FaultOptions{.slow_serve_us = 10'000'001};
  EXPECT_THROW(faults.validate(), ConfigError);
  faults = FaultOptions{.receive_budget_bytes = -5};
  EXPECT_THROW(faults.validate(), ConfigError);
  EXPECT_EQ(Config::with_environment(Config{}, {{"PENUMBRA_FAULT_RANK", "3"}}).fault.rank, 3);
}

}  // namespace
}  // namespace penumbra
