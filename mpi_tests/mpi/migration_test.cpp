// The move primitive: many objects at once, nothing lost or duplicated, versions kept, all or nothing.
#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <numeric>

#include "fragile.hpp"
#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

struct Block {  // Boost-serialized
  std::string owner_note;
  std::vector<std::int64_t> cells;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& owner_note& cells;
  }
};

using penumbra::test_types::Fragile;
using penumbra::test_types::g_fail_serialization;

std::uint64_t allreduce_sum(std::uint64_t value) {
  std::uint64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

std::string block_name(int creator, int k) { return "block/" + std::to_string(creator) + "/" + std::to_string(k); }

// Content fingerprint of every object this rank owns: value and version, independent of who computed it.
std::uint64_t local_fingerprint(Runtime& rt) {
  std::uint64_t sum = 0;
  for (ObjectId id : rt.local_objects()) {
    const auto block = rt.read<Block>(id);
    const std::uint64_t cells = std::accumulate(block.value.cells.begin(), block.value.cells.end(), std::uint64_t{0});
    sum += (id.value ^ (cells * 1315423911ULL)) + block.version * 2654435761ULL;
  }
  return sum;
}

class Migration : public testing::Test {
 protected:
  static constexpr int kPerRank = 200;

  void SetUp() override {
    Config config;
    config.check_invariants = true;
    rt = std::make_unique<Runtime>(MPI_COMM_WORLD, config);
    for (int k = 0; k < kPerRank; ++k) {
      const std::string name = block_name(rt->rank(), k);
      rt->create(name, Block{name, std::vector<std::int64_t>(static_cast<std::size_t>(k % 17 + 1), k)});
      for (int w = 0; w < k % 3; ++w) rt->write(name, Block{name, std::vector<std::int64_t>(3, k + w)});
    }
    rt->barrier();
  }
  void TearDown() override { rt.reset(); }

  std::unique_ptr<Runtime> rt;
};

TEST_F(Migration, RingShiftMovesEverythingAndLosesNothing) {
  const std::size_t objects_before = allreduce_sum(rt->local_objects().size());
  const std::uint64_t fingerprint_before = allreduce_sum(local_fingerprint(*rt));
  ASSERT_EQ(objects_before, static_cast<std::size_t>(kPerRank * rt->size()));

  const int next = (rt->rank() + 1) % rt->size();
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects()) moves.push_back({id, next});
  const std::vector<ObjectId> sent = rt->local_objects();
  const MigrationReport report = rt->migrate(moves);

  EXPECT_EQ(report.objects_moved_total, rt->size() > 1 ? objects_before : 0U);
  EXPECT_EQ(allreduce_sum(report.objects_received), rt->size() > 1 ? objects_before : 0U);
  EXPECT_EQ(allreduce_sum(rt->local_objects().size()), objects_before);
  EXPECT_EQ(allreduce_sum(local_fingerprint(*rt)), fingerprint_before);
  for (ObjectId id : sent) EXPECT_EQ(rt->owner_of(id), next);
  rt->check_invariants();
}

TEST_F(Migration, MovedObjectsKeepVersionsAndAnswerFromTheirNewOwner) {
  // Everyone moves object k of every creator to rank k % size; then every rank reads and writes them all.
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects()) {
    const auto block = rt->read<Block>(id);
    const int k = std::stoi(block.value.owner_note.substr(block.value.owner_note.rfind('/') + 1));
    moves.push_back({id, k % rt->size()});
  }
  rt->migrate(moves);
  for (int creator = 0; creator < rt->size(); ++creator)
    for (int k = 0; k < kPerRank; k += 7) {
      const std::string name = block_name(creator, k);
      EXPECT_EQ(rt->owner_of(name), k % rt->size());
      const auto block = rt->read<Block>(name);
      EXPECT_EQ(block.version, 1U + static_cast<Version>(k % 3)) << name;
      EXPECT_EQ(block.value.owner_note, name);
    }
  rt->barrier();
  const Version written = 1U + 5 % 3 + 1;
  if (rt->rank() == 0) {
    EXPECT_EQ(rt->write(block_name(0, 5), Block{"w", {}}), written);
  }
  rt->barrier();
  // The moved object's old owner keeps a copy (shadow.keep_copies_on_move), which may lag the owner by the
  // staleness bound: a reader that must see this write asks for its version (the writer itself always does).
  EXPECT_EQ(rt->read<Block>(block_name(0, 5), ReadOptions{.min_version = written}).value.owner_note, "w");
  rt->check_invariants();
}

TEST_F(Migration, LargeObjectsTravelIntact) {
  const std::string name = "big/" + std::to_string(rt->rank());
  std::vector<std::int64_t> cells(1 << 18);  // 2 MiB
  std::iota(cells.begin(), cells.end(), rt->rank());
  rt->create(name, Block{name, cells});
  rt->barrier();
  std::vector<Move> moves;
  for (ObjectId id : rt->local_objects())
    if (id == ObjectId::from_name(name) || rt->owner_of(id) == rt->rank())
      moves.push_back({id, (rt->rank() + 1) % rt->size()});
  rt->migrate(moves);
  const auto block = rt->read<Block>(name);
  EXPECT_EQ(block.value.cells, cells);
  rt->check_invariants();
}

TEST_F(Migration, FailedSerializationMovesNothing) {
  if (rt->size() == 1) GTEST_SKIP() << "nothing moves at one rank";
  rt->create("fragile/" + std::to_string(rt->rank()), Fragile{rt->rank()});
  rt->barrier();
  // Owners rewrite their fragile objects so that the value is held typed and must be serialized by the move.
  for (int r = 0; r < rt->size(); ++r)
    if (rt->owner_of("fragile/" + std::to_string(r)) == rt->rank())
      rt->write("fragile/" + std::to_string(r), Fragile{r});
  const std::vector<ObjectId> before = rt->local_objects();
  const std::uint64_t count_before = allreduce_sum(before.size());
  std::vector<Move> moves;
  for (ObjectId id : before) moves.push_back({id, (rt->rank() + 1) % rt->size()});

  g_fail_serialization = true;
  EXPECT_THROW(rt->migrate(moves), Error);
  g_fail_serialization = false;

  EXPECT_EQ(rt->local_objects(), before);
  EXPECT_EQ(allreduce_sum(rt->local_objects().size()), count_before);
  for (int r = 0; r < rt->size(); ++r) EXPECT_EQ(rt->read<Fragile>("fragile/" + std::to_string(r)).value.payload, r);
  rt->check_invariants();
}

TEST_F(Migration, MovingAnObjectThisRankDoesNotOwnIsRejectedEverywhere) {
  if (rt->size() == 1) GTEST_SKIP() << "needs a second rank";
  const std::vector<ObjectId> before = rt->local_objects();
  std::vector<Move> moves;
  if (rt->rank() == 1) moves.push_back({ObjectId{0xdeadbeef}, 0});
  try {
    rt->migrate(moves);
    FAIL() << "expected an error on every rank";
  } catch (const UnknownObject&) {
    EXPECT_EQ(rt->rank(), 1);
  } catch (const RemoteError& error) {
    EXPECT_NE(rt->rank(), 1);
    EXPECT_EQ(error.failing_rank(), 1);
  }
  EXPECT_EQ(rt->local_objects(), before);
  rt->check_invariants();
}

TEST_F(Migration, MovesToSelfAndEmptyMigrationsAreNoOps) {
  const std::vector<ObjectId> before = rt->local_objects();
  std::vector<Move> moves;
  for (ObjectId id : before) moves.push_back({id, rt->rank()});
  const MigrationReport report = rt->migrate(moves);
  EXPECT_EQ(report.objects_moved_total, 0U);
  EXPECT_EQ(rt->local_objects(), before);
  EXPECT_EQ(rt->migrate({}).objects_moved_total, 0U);
}

}  // namespace
}  // namespace penumbra
