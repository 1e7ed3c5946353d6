// Object calls from every rank, to local and remote owners.
#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <memory>
#include <tuple>

#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

struct Halo {
  std::string label;
  std::vector<double> cells;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& label& cells;
  }
};

struct Vec3 {
  double x, y, z;
};

// Trivially copyable and larger than a third of the default 8 MiB stack: create and write took their value by
// value, and each call level copied it on the stack again, so one write of such a block overflowed the stack.
struct LargeBlock {
  std::array<std::uint64_t, (3u << 20) / sizeof(std::uint64_t)> words;
};

std::unique_ptr<LargeBlock> large_block(std::uint64_t seed) {
  auto block = std::make_unique<LargeBlock>();
  for (std::size_t i = 0; i < block->words.size(); ++i) block->words[i] = seed * 0x9E3779B97F4A7C15ULL + i;
  return block;
}

// The index of the first word that is not large_block(seed)'s, or the size when all are.
std::size_t first_wrong_word(const LargeBlock& block, std::uint64_t seed) {
  for (std::size_t i = 0; i < block.words.size(); ++i)
    if (block.words[i] != seed * 0x9E3779B97F4A7C15ULL + i) return i;
  return block.words.size();
}

class ObjectAccess : public testing::Test {
 protected:
  Runtime rt{MPI_COMM_WORLD, Config{}};
};

TEST_F(ObjectAccess, EveryRankReadsEveryObject) {
  // Each rank creates one object; each lands at its home rank, wherever that is.
  rt.create("value/" + std::to_string(rt.rank()), Vec3{1.0 * rt.rank(), 2.0, 3.0});
  rt.barrier();
  for (int r = 0; r < rt.size(); ++r) {
    const auto [value, version] = rt.read<Vec3>("value/" + std::to_string(r));
    EXPECT_EQ(value.x, 1.0 * r);
    EXPECT_EQ(value.z, 3.0);
    EXPECT_EQ(version, 1U);
  }
  rt.barrier();
}

TEST_F(ObjectAccess, SerializableTypesTravel) {
  if (rt.rank() == 0) rt.create("halo", Halo{"north", {1.0, 2.0, 3.0}});
  rt.barrier();
  const auto halo = rt.read<Halo>("halo");
  EXPECT_EQ(halo.value.label, "north");
  EXPECT_EQ(halo.value.cells, (std::vector<double>{1.0, 2.0, 3.0}));
  const ObjectInfo info = rt.info("halo");
  EXPECT_EQ(info.owner, rt.owner_of("halo"));
  EXPECT_EQ(info.name, "halo");
  EXPECT_GT(info.size_bytes, 3 * sizeof(double));
  rt.barrier();
}

TEST_F(ObjectAccess, WritesFromEveryRankEachBumpTheVersionOnce) {
  if (rt.rank() == 0) rt.create(ObjectId{42}, 0);
  rt.barrier();
  std::vector<Version> mine;
  for (int i = 0; i < 10; ++i) mine.push_back(rt.write(ObjectId{42}, rt.rank()));
  for (std::size_t i = 1; i < mine.size(); ++i) EXPECT_GT(mine[i], mine[i - 1]);
  rt.barrier();
  // 1 (create) + 10 writes per rank: every write got its own version, none was lost.
  EXPECT_EQ(rt.read<int>(ObjectId{42}).version, 1U + 10U * static_cast<unsigned>(rt.size()));
  rt.barrier();
}

TEST_F(ObjectAccess, TypedErrorsReachRemoteCallers) {
  if (rt.rank() == 0) rt.create("typed", 7);
  rt.barrier();
  EXPECT_THROW(rt.read<double>("typed"), WrongType);
  EXPECT_THROW(rt.write("typed", 1.5), WrongType);
  EXPECT_THROW(rt.read<int>("never-created"), UnknownObject);
  EXPECT_THROW(rt.create("typed", 8), DuplicateObject);
  rt.barrier();
  if (rt.rank() == rt.size() - 1) rt.erase("typed");
  rt.barrier();
  EXPECT_THROW(rt.read<int>("typed"), ObjectErased);
  EXPECT_THROW(rt.write("typed", 9), ObjectErased);
  rt.barrier();
  if (rt.rank() == 0) {
    EXPECT_EQ(rt.create("typed", 10), ObjectId::from_name("typed"));
  }
  rt.barrier();
  const auto revived = rt.read<int>("typed");
  EXPECT_EQ(revived.value, 10);
  EXPECT_EQ(revived.version, 2U);  // after the erased version 1: versions only grow
  rt.barrier();
}

TEST_F(ObjectAccess, LocalViewSharesTheStoredValue) {
  const std::string name = "mine/" + std::to_string(rt.rank());
  rt.create(name, Halo{"x", std::vector<double>(1000, 1.0)});
  rt.barrier();
  if (rt.owner_of(name) == rt.rank()) {
    const auto first = rt.view<Halo>(name);
    const auto second = rt.view<Halo>(name);
    EXPECT_EQ(first.value.get(), second.value.get());
    rt.write(name, Halo{"y", {}});
    EXPECT_EQ(first.value->label, "x");  // a snapshot: the write installed a new value
    EXPECT_EQ(rt.read<Halo>(name).value.label, "y");
  }
  rt.barrier();
}

TEST_F(ObjectAccess, LargeTriviallyCopyableValuesAreWrittenReadAndMoved) {
  const int next = (rt.rank() + 1) % rt.size();
  const auto name_of = [](int rank) { return "large/" + std::to_string(rank); };
  constexpr std::size_t words = std::tuple_size_v<decltype(LargeBlock::words)>;
  rt.create(name_of(rt.rank()), *large_block(static_cast<std::uint64_t>(rt.rank())));  // lands at its home rank
  rt.barrier();
  // Each rank replaces the next rank's block (a remote write wherever the owner is another rank).
  EXPECT_EQ(rt.write(name_of(next), *large_block(100 + static_cast<std::uint64_t>(next))), 2U);
  rt.barrier();
  const auto check_all = [&](const char* when) {
    for (int r = 0; r < rt.size(); ++r) {
      const auto read = std::make_unique<Versioned<LargeBlock>>(rt.read<LargeBlock>(name_of(r)));
      EXPECT_EQ(read->version, 2U) << when << ", block of rank " << r;
      EXPECT_EQ(first_wrong_word(read->value, 100 + static_cast<std::uint64_t>(r)), words)
          << when << ", block of rank " << r;
    }
  };
  check_all("after the writes");
  rt.barrier();
  // Every block moves on: the new owner holds its bytes, and view decodes them into the heap.
  std::vector<Move> moves;
  if (next != rt.rank())
    for (ObjectId id : rt.local_objects()) moves.push_back({id, next});
  rt.migrate(moves);
  for (int r = 0; r < rt.size(); ++r) {
    if (rt.owner_of(name_of(r)) != rt.rank()) continue;
    const auto viewed = rt.view<LargeBlock>(name_of(r));
    EXPECT_EQ(viewed.version, 2U);
    EXPECT_EQ(first_wrong_word(*viewed.value, 100 + static_cast<std::uint64_t>(r)), words) << "block of rank " << r;
  }
  check_all("after the move");
  rt.barrier();
}

TEST_F(ObjectAccess, BadNamesAreTypedErrors) {
  EXPECT_THROW(rt.read<int>(""), InvalidArgument);
  EXPECT_THROW(rt.create("", 1), InvalidArgument);
  rt.barrier();
}

}  // namespace
}  // namespace penumbra
