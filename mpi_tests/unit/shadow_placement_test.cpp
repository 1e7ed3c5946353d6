// Shadow placement and the whole plan: where copies go, how many, and which are refused or dropped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "penumbra/errors.hpp"
#include "shadow/placement.hpp"
#include "shadow/plan.hpp"
#include "shadow/planner.hpp"
#include "shadow_test_support.hpp"

namespace penumbra::shadow {
namespace {

using testing::no_rent;
using testing::nodes;
using testing::object;
using testing::ranks_with_headroom;
using testing::round_costs;
using testing::separate_nodes;

std::vector<int> ranks_of(const std::vector<ShadowPlacement>& list, std::uint64_t id) {
  std::vector<int> ranks;
  for (const auto& p : list)
    if (p.id.value == id) ranks.push_back(p.rank);
  return ranks;
}

ShadowDecision plan(const std::vector<ObjectAccess>& objects, const Topology& topology,
                    const ShadowOptions& options = no_rent(), const CostModel& costs = round_costs()) {
  return plan_shadows(objects, topology, ranks_with_headroom(topology.rank_count()), costs, options);
}

TEST(ShadowPlacement, ReadHotObjectGoesToItsHeaviestReadersNeverTheOwner) {
  const Topology topology = separate_nodes(6);
  // The owner (rank 0) reads most; then ranks 4, 2, 5, 1, 3.
  const std::vector<double> reads = {1000, 200, 400, 100, 500, 300};
  const ShadowDecision decision = plan({object(1, 0, reads, 1)}, topology);
  EXPECT_EQ(ranks_of(decision.create, 1), (std::vector<int>{2, 4, 5}));  // the 3 heaviest non-owners
  EXPECT_TRUE(decision.keep.empty());
  EXPECT_TRUE(decision.drop.empty());
  // Each value is its own read saving minus one propagation: reads x 10 us - 1 x 10 us.
  for (const auto& copy : decision.create) EXPECT_DOUBLE_EQ(copy.value_us, reads[copy.rank] * 10.0 - 10.0);

  ShadowOptions one = no_rent();
  one.max_copies = 1;
  EXPECT_EQ(ranks_of(plan({object(1, 0, reads, 1)}, topology, one).create, 1), (std::vector<int>{4}));
  ShadowOptions everywhere = no_rent();
  everywhere.max_copies = 6;  // >= ranks: every reader may hold a copy, still never the owner
  EXPECT_EQ(ranks_of(plan({object(1, 0, reads, 1)}, topology, everywhere).create, 1),
            (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(ShadowPlacement, RanksThatDoNotReadGetNoCopy) {
  ShadowOptions everywhere = no_rent();
  everywhere.max_copies = 8;
  const ShadowDecision decision = plan({object(1, 1, {0, 50, 0, 20}, 0)}, separate_nodes(4), everywhere);
  EXPECT_EQ(ranks_of(decision.create, 1), (std::vector<int>{3}));
}

TEST(ShadowPlacement, WriteHotObjectIsNotShadowedAndLosesItsShadows) {
  const Topology topology = separate_nodes(4);
  // Writes comparable to reads: 90 writes, 3 readers of 40 each. A copy saves 40 x 10 us and costs 90 x 10 us.
  ObjectAccess hot = object(1, 0, {0, 40, 40, 40}, 90);
  EXPECT_TRUE(plan({hot}, topology).create.empty());
  hot.holders = {1, 3};
  const ShadowDecision decision = plan({hot}, topology);
  EXPECT_TRUE(decision.create.empty());
  EXPECT_TRUE(decision.keep.empty());
  ASSERT_EQ(decision.drop.size(), 2U);
  for (const auto& dropped : decision.drop) {
    EXPECT_EQ(dropped.reason, DropReason::low_value);
    EXPECT_DOUBLE_EQ(dropped.value_us, 40 * 10.0 - 90 * 10.0);
  }
  // A single reader with as many reads as writes saves exactly what propagation costs: not worth a copy.
  EXPECT_TRUE(plan({object(2, 0, {0, 0, 70, 0}, 70)}, topology).create.empty());
}

TEST(ShadowPlacement, EqualReadersTheOneThatAlsoServesANeighbourWins) {
  // Owner 0 on node 0; rank 1 alone on node 1; ranks 2 and 3 share node 2, rank 3 reads a little.
  const Topology topology = nodes({0, 1, 2, 2});
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  const ShadowDecision decision = plan({object(1, 0, {0, 100, 100, 10}, 0)}, topology, one);
  // Rank 1 saves 100 x 10; rank 2 saves 100 x 10 + rank 3's 10 x (10 - 1).
  EXPECT_EQ(ranks_of(decision.create, 1), (std::vector<int>{2}));
  EXPECT_DOUBLE_EQ(decision.create.at(0).value_us, 100 * 10.0 + 10 * 9.0);
}

TEST(ShadowPlacement, EqualReadersByMeasuredLatencyTheNearerToTheOthersWins) {
  // One node, measured latencies: rank 3 reads from rank 2 in 2 us, from rank 1 in 6 us, from the owner in 9.
  std::vector<double> latency(16, 9.0);
  latency[3 * 4 + 2] = 2.0;
  latency[3 * 4 + 1] = 6.0;
  const Topology topology = nodes({0, 0, 0, 0}, latency);
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  const ShadowDecision decision = plan({object(1, 0, {0, 100, 100, 10}, 0)}, topology, one);
  EXPECT_EQ(ranks_of(decision.create, 1), (std::vector<int>{2}));
  EXPECT_DOUBLE_EQ(decision.create.at(0).value_us, 100 * 9.0 + 10 * (9.0 - 2.0));
}

TEST(ShadowPlacement, EqualReadersTheOneWithMoreHeadroomWinsElseTheLowerRank) {
  const Topology topology = separate_nodes(3);
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  std::vector<RankState> ranks = ranks_with_headroom(3, 0.0);
  ranks[2].load_headroom = 0.8;
  const std::vector<ObjectAccess> objects = {object(1, 0, {0, 100, 100}, 0)};
  EXPECT_EQ(ranks_of(plan_shadows(objects, topology, ranks, round_costs(), one).create, 1), (std::vector<int>{2}));
  ranks[2].load_headroom = 0.0;
  EXPECT_EQ(ranks_of(plan_shadows(objects, topology, ranks, round_costs(), one).create, 1), (std::vector<int>{1}));
  // Headroom only reorders: a slightly heavier reader with no headroom loses to one with plenty...
  ranks[2].load_headroom = 1.0;
  const std::vector<ObjectAccess> close = {object(1, 0, {0, 110, 100}, 0)};
  EXPECT_EQ(ranks_of(plan_shadows(close, topology, ranks, round_costs(), one).create, 1), (std::vector<int>{2}));
  // ...but never makes a copy worth creating: 1 read x 10 us - 1 write x 10 us = 0 < min_value_us.
  const std::vector<ObjectAccess> worthless = {object(1, 0, {0, 0, 1}, 1)};
  EXPECT_TRUE(plan_shadows(worthless, topology, ranks, round_costs(), one).create.empty());
}

TEST(ShadowPlacement, SecondCopyGoesWhereItServesReadersTheFirstDoesNot) {
  // Owner 0 on node 0; ranks 1, 2 on node 1; ranks 3, 4 on node 2. Rank 2 reads more than 3 or 4, but a
  // copy on node 1 already serves it at 1 us.
  const Topology topology = nodes({0, 1, 1, 2, 2});
  ShadowOptions two = no_rent();
  two.max_copies = 2;
  const ShadowDecision decision = plan({object(1, 0, {0, 100, 60, 50, 40}, 0)}, topology, two);
  EXPECT_EQ(ranks_of(decision.create, 1), (std::vector<int>{1, 3}));
  // Rank 3's copy: 50 x 10 for itself + 40 x 9 for rank 4. Rank 2 would have added 60 x 1 only.
  EXPECT_DOUBLE_EQ(decision.create.at(1).value_us, 50 * 10.0 + 40 * 9.0);
}

TEST(ShadowPlacement, HysteresisKeepsAShadowWhoseValueDipsSlightly) {
  const Topology topology = separate_nodes(2);
  const ShadowOptions options = no_rent();  // min_value 0.5, hysteresis 0.5
  // 10 reads x 10 us - 10.02 writes x 10 us = -0.2 us: kept if held, not created otherwise.
  ObjectAccess dipped = object(1, 0, {0, 10}, 10.02);
  EXPECT_TRUE(plan({dipped}, topology, options).create.empty());
  dipped.holders = {1};
  const ShadowDecision kept = plan({dipped}, topology, options);
  ASSERT_EQ(kept.keep.size(), 1U);
  EXPECT_NEAR(kept.keep[0].value_us, -0.2, 1e-9);
  // Positive but below min_value_us (0.3): kept if held, not created.
  ObjectAccess small = object(2, 0, {0, 10}, 9.97);
  EXPECT_TRUE(plan({small}, topology, options).create.empty());
  small.holders = {1};
  EXPECT_EQ(plan({small}, topology, options).keep.size(), 1U);
  // Below -hysteresis: dropped.
  ObjectAccess fallen = object(3, 0, {0, 10}, 10.1);
  fallen.holders = {1};
  const ShadowDecision dropped = plan({fallen}, topology, options);
  ASSERT_EQ(dropped.drop.size(), 1U);
  EXPECT_EQ(dropped.drop[0].reason, DropReason::low_value);
  EXPECT_NEAR(dropped.drop[0].value_us, -1.0, 1e-9);
}

TEST(ShadowPlacement, AShadowNobodyReadsIsDroppedDespiteHysteresis) {
  ObjectAccess unread = object(1, 0, {5, 0, 0}, 0);
  unread.holders = {2};
  const ShadowDecision decision = plan({unread}, separate_nodes(3));
  ASSERT_EQ(decision.drop.size(), 1U);
  EXPECT_EQ(decision.drop[0].reason, DropReason::low_value);
}

TEST(ShadowPlacement, HoldersBeyondMaxCopiesAreOutranked) {
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  ObjectAccess access = object(1, 0, {0, 30, 50, 40}, 0);
  access.holders = {1, 2, 3};
  const ShadowDecision decision = plan({access}, separate_nodes(4), one);
  EXPECT_EQ(ranks_of(decision.keep, 1), (std::vector<int>{2}));
  EXPECT_EQ(ranks_of(decision.drop, 1), (std::vector<int>{1, 3}));
  for (const auto& dropped : decision.drop) EXPECT_EQ(dropped.reason, DropReason::outranked);
}

TEST(ShadowPlacement, AHolderThatBecameTheOwnerIsDropped) {
  ObjectAccess moved = object(1, 2, {0, 50, 0}, 0);
  moved.holders = {2, 1};
  const ShadowDecision decision = plan({moved}, separate_nodes(3));
  EXPECT_EQ(ranks_of(decision.keep, 1), (std::vector<int>{1}));
  ASSERT_EQ(decision.drop.size(), 1U);
  EXPECT_EQ(decision.drop[0].rank, 2);
  EXPECT_EQ(decision.drop[0].reason, DropReason::holder_is_owner);
}

TEST(ShadowPlacement, DisabledDropsEveryShadow) {
  ShadowOptions off = no_rent();
  off.enabled = false;
  ObjectAccess access = object(1, 0, {0, 500, 500}, 0);
  access.holders = {1};
  const ShadowDecision decision = plan({access, object(2, 1, {300, 0, 0})}, separate_nodes(3), off);
  EXPECT_TRUE(decision.create.empty());
  EXPECT_TRUE(decision.keep.empty());
  ASSERT_EQ(decision.drop.size(), 1U);
  EXPECT_EQ(decision.drop[0].reason, DropReason::disabled);
  EXPECT_EQ(decision.bytes_by_rank, (std::vector<std::uint64_t>{0, 0, 0}));
}

// Zipf reads (s = 0.99) over 1000 objects owned round-robin by 4 ranks, every rank drawing from the same
// distribution; w = fraction of accesses that are writes. One node, oversubscribed: 15 us per remote get.
struct Zipf {
  static constexpr int kObjects = 1000;
  static constexpr int kRanks = 4;
  static constexpr std::uint64_t kSize = 4096;
  static constexpr double kReadsPerRank = 100'000;

  static std::vector<ObjectAccess> objects(double write_fraction) {
    double harmonic = 0;
    for (int i = 1; i <= kObjects; ++i) harmonic += std::pow(i, -0.99);
    std::vector<ObjectAccess> list;
    for (int i = 1; i <= kObjects; ++i) {
      const double reads = kReadsPerRank * std::pow(i, -0.99) / harmonic;
      const double writes = write_fraction / (1 - write_fraction) * reads * kRanks;
      list.push_back(
          object(static_cast<std::uint64_t>(i), i % kRanks, std::vector<double>(kRanks, reads), writes, kSize));
    }
    return list;
  }
  static Topology topology() {
    std::vector<double> latency(kRanks * kRanks, 15.0);
    return nodes(std::vector<int>(kRanks, 0), latency);
  }
};

TEST(ShadowPlacement, ZipfReadMostlyHeadIsShadowedFarBelowFullReplication) {
  const std::vector<ObjectAccess> objects = Zipf::objects(0.05);
  const std::uint64_t full_bytes_per_rank = (Zipf::kObjects - Zipf::kObjects / Zipf::kRanks) * Zipf::kSize;
  const std::uint64_t full_bytes = full_bytes_per_rank * Zipf::kRanks;
  ShadowOptions options;  // defaults, with k = 3 (every other rank of 4) and a fifth of full replication
  options.max_copies = 3;
  options.budget_bytes = static_cast<std::int64_t>(full_bytes_per_rank / 5);
  const std::uint64_t per_rank = full_bytes_per_rank / 5 / Zipf::kSize;  // 150 shadows
  const ShadowDecision decision =
      plan_shadows(objects, Zipf::topology(), ranks_with_headroom(Zipf::kRanks), CostModel{}, options);

  std::uint64_t replica_bytes = 0;
  for (int r = 0; r < Zipf::kRanks; ++r) {
    replica_bytes += decision.bytes_by_rank[static_cast<std::size_t>(r)];
    // Expected on rank r: the `per_rank` most popular objects it does not own (every rank reads the same mix).
    std::set<std::uint64_t> expected;
    for (int i = 1; i <= Zipf::kObjects && expected.size() < per_rank; ++i)
      if (i % Zipf::kRanks != r) expected.insert(static_cast<std::uint64_t>(i));
    std::set<std::uint64_t> actual;
    for (const auto& copy : decision.create)
      if (copy.rank == r) actual.insert(copy.id.value);
    EXPECT_EQ(actual, expected) << "rank " << r;
  }
  EXPECT_LE(replica_bytes * 5, full_bytes);
  // The very head is on every rank that reads it, never on its owner.
  for (std::uint64_t id = 1; id <= 10; ++id) {
    const std::vector<int> holders = ranks_of(decision.create, id);
    EXPECT_EQ(holders.size(), 3U) << "object " << id;
    EXPECT_EQ(std::ranges::count(holders, static_cast<int>(id % Zipf::kRanks)), 0);
  }
}

TEST(ShadowPlacement, ZipfWriteHeavyObjectsAreNotShadowed) {
  // w = 0.3: each object is written 0.3/0.7 x 4 = 1.7 times per read of one rank; a copy saves ~15 us per read
  // and costs ~15 us per write. Nothing is worth a copy, even with an unlimited budget.
  std::vector<ObjectAccess> objects = Zipf::objects(0.3);
  for (auto& access : objects)  // and the shadows of last window (when w was low) are dropped
    for (int r = 0; r < Zipf::kRanks && access.id.value <= 20; ++r)
      if (r != access.owner) access.holders.push_back(r);
  const ShadowDecision decision =
      plan_shadows(objects, Zipf::topology(), ranks_with_headroom(Zipf::kRanks), CostModel{}, ShadowOptions{});
  EXPECT_TRUE(decision.create.empty());
  EXPECT_TRUE(decision.keep.empty());
  EXPECT_EQ(decision.drop.size(), 20U * 3);
}

TEST(ShadowPlacement, PlanDoesNotDependOnTheOrderOfObjects) {
  std::vector<ObjectAccess> objects = Zipf::objects(0.05);
  objects.resize(200);
  ShadowOptions options;
  options.budget_bytes = 40 * Zipf::kSize;
  const auto ranks = ranks_with_headroom(Zipf::kRanks);
  const ShadowDecision first = plan_shadows(objects, Zipf::topology(), ranks, CostModel{}, options);
  std::shuffle(objects.begin(), objects.end(), std::mt19937(7));
  const ShadowDecision second = plan_shadows(objects, Zipf::topology(), ranks, CostModel{}, options);
  EXPECT_EQ(first.create, second.create);
  EXPECT_EQ(first.bytes_by_rank, second.bytes_by_rank);
  EXPECT_EQ(first.create.size(), 4U * 40);
}

TEST(ShadowPlacement, BadInputIsATypedErrorNamingTheValue) {
  const Topology topology = separate_nodes(3);
  const std::vector<ObjectAccess> good = {object(1, 0, {0, 5, 5})};
  const auto ranks = ranks_with_headroom(3);
  const CostModel costs = round_costs();
  // Wrong number of rank states; NaN or negative headroom.
  EXPECT_THROW(plan_shadows(good, topology, ranks_with_headroom(2), costs, ShadowOptions{}), InvalidArgument);
  std::vector<RankState> bad_ranks = ranks;
  bad_ranks[1].load_headroom = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(plan_shadows(good, topology, bad_ranks, costs, ShadowOptions{}), InvalidArgument);
  bad_ranks[1].load_headroom = -0.5;
  try {
    plan_shadows(good, topology, bad_ranks, costs, ShadowOptions{});
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("rank 1: load_headroom = -0.5"), std::string::npos) << error.what();
  }
  // An object listed twice; an unknown owner; a vector of the wrong size; NaN reads.
  const std::vector<ObjectAccess> twice = {object(1, 0, {0, 5, 5}), object(1, 1, {5, 0, 5})};
  EXPECT_THROW(plan_shadows(twice, topology, ranks, costs, ShadowOptions{}), InvalidArgument);
  const std::vector<ObjectAccess> unknown_owner = {object(1, 7, {0, 5, 5})};
  EXPECT_THROW(plan_shadows(unknown_owner, topology, ranks, costs, ShadowOptions{}), InvalidArgument);
  const std::vector<ObjectAccess> short_reads = {object(1, 0, {0, 5})};
  EXPECT_THROW(plan_shadows(short_reads, topology, ranks, costs, ShadowOptions{}), InvalidArgument);
  // Bad options are ConfigErrors naming the key: k < 1, a zero budget with shadows requested.
  ShadowOptions no_copies;
  no_copies.max_copies = 0;
  try {
    plan_shadows(good, topology, ranks, costs, no_copies);
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "shadow.max_copies");
    EXPECT_EQ(error.value(), "0");
  }
  ShadowOptions no_budget;
  no_budget.budget_bytes = 0;
  EXPECT_THROW(plan_shadows(good, topology, ranks, costs, no_budget), ConfigError);
  // A bad cost model.
  CostModel negative = costs;
  negative.propagation_us_per_kib = -1;
  EXPECT_THROW(plan_shadows(good, topology, ranks, negative, ShadowOptions{}), InvalidArgument);
}

}  // namespace
}  // namespace penumbra::shadow

namespace penumbra::shadow {
namespace {

// The runtime's planner takes the task scheduler's count of tasks reading each object as its dependents: an
// object read once in the window is not worth a copy, unless many tasks depend on it.
TEST(ShadowPlanner, TasksThatDependOnAnObjectRaiseItsValue) {
  Config config;
  config.shadow.enabled = true;
  config.shadow.dependency_weight = 1.0;
  const Topology topology = testing::separate_nodes(4);
  const ObjectId id{77};
  const std::vector<OwnedObjectStats> objects = {
      OwnedObjectStats{.id = id, .size_bytes = 1024, .reads_by_rank = {0.0, 1.0, 0.0, 0.0}, .writes = 20.0, .holders = {}}};
  // Holder 0, the owner itself, is a home copy (published in the owner's window for one-sided reads).
  const auto desired_holders = [&](const std::unordered_map<ObjectId, std::int64_t>& dependents) {
    ReadHistory history;
    std::vector<int> holders;
    for (const DesiredShadow& shadow : make_planner(config, topology, 0, history, dependents)(objects))
      if (shadow.id == id) holders.push_back(shadow.holder);
    std::sort(holders.begin(), holders.end());
    return holders;
  };
  EXPECT_EQ(desired_holders({}), std::vector<int>{}) << "one read does not pay for 20 propagations, nor 20 local "
                                                        "republications (2.3 us saved against 20 x 0.15 us)";
  EXPECT_EQ(desired_holders({{id, 1000}}), std::vector<int>{1})
      << "a copy where it is read, and no home copy: its only reader has a copy of its own";
  config.shadow.home_copies = false;
  EXPECT_EQ(desired_holders({{id, 1000}}), std::vector<int>{1}) << "without home copies, the same";
}

// A home copy serves the readers that hold no copy of their own: published while one of them is left, not
// when the shadows reach every reader.
TEST(ShadowPlanner, AHomeCopyIsPublishedOnlyForReadersWithoutACopy) {
  Config config;
  config.shadow.enabled = true;
  const Topology topology = testing::separate_nodes(3);
  const ObjectId id{9};
  // Ranks 1 and 2 read object 9 of rank 0 50 times each, and nobody writes it: a copy is worth it on both.
  const std::vector<OwnedObjectStats> objects = {
      OwnedObjectStats{.id = id, .size_bytes = 64, .reads_by_rank = {0.0, 50.0, 50.0}, .writes = 0.0, .holders = {}}};
  const std::unordered_map<ObjectId, std::int64_t> dependents;
  const auto desired_holders = [&](std::int64_t max_copies) {
    config.shadow.max_copies = max_copies;
    ReadHistory history;
    std::vector<int> holders;
    for (const DesiredShadow& shadow : make_planner(config, topology, 0, history, dependents)(objects))
      holders.push_back(shadow.holder);
    std::sort(holders.begin(), holders.end());
    return holders;
  };
  EXPECT_EQ(desired_holders(2), (std::vector<int>{1, 2})) << "both readers hold a copy: no home copy";
  const std::vector<int> one_copy = desired_holders(1);
  ASSERT_EQ(one_copy.size(), 2U);
  EXPECT_EQ(one_copy[0], 0) << "one reader is left without a copy: the owner publishes for it";
}

// Where pushes are dear (a flush that yields the core costs ~20 us on oversubscribed ranks), a copy of an
// object written about as often as it is read is not worth keeping fresh; with the model's 0.1 us it is.
TEST(ShadowPlanner, AMeasuredPushCostReplacesTheModelsWhenLarger) {
  Config config;
  config.shadow.enabled = true;
  config.shadow.home_copies = false;
  const Topology topology = testing::separate_nodes(2);
  const ObjectId id{5};
  // 100 reads from rank 1 at 2.3 us of owner service + 2 us between nodes each; 100 writes.
  const std::vector<OwnedObjectStats> objects = {
      OwnedObjectStats{.id = id, .size_bytes = 64, .reads_by_rank = {0.0, 100.0}, .writes = 100.0, .holders = {}}};
  const std::unordered_map<ObjectId, std::int64_t> dependents;
  const auto copies = [&](std::optional<double> measured) {
    ReadHistory history;
    return make_planner(config, topology, 0, history, dependents, measured)(objects).size();
  };
  EXPECT_EQ(copies(std::nullopt), 1u) << "100 x (4.3 - 0.03) us saved against 100 x (2 + 0.1) us of pushes";
  EXPECT_EQ(copies(0.05), 1u) << "a measured cost below the model's changes nothing";
  EXPECT_EQ(copies(20.0), 0u) << "100 x (2 + 20) us of pushes cost more than the reads save";
}

// A home copy is worth the two-sided service time of every remote read it answers, less a local copy per write.
TEST(ShadowPlanner, OwnersPublishObjectsReadRemotelyAndNotWriteHotOnes) {
  Config config;
  config.shadow.enabled = true;
  config.shadow.max_copies = 1;  // a reader is left without a shadow, so a home copy has someone to serve
  const Topology topology = testing::separate_nodes(3);
  const auto stats = [](std::uint64_t id, std::vector<double> reads, double writes, bool published) {
    return OwnedObjectStats{.id = ObjectId{id}, .size_bytes = 64, .reads_by_rank = std::move(reads),
                            .writes = writes, .holders = {}, .home_copy = published};
  };
  const std::vector<OwnedObjectStats> objects = {
      stats(1, {5.0, 0.0, 0.0}, 0.0, false),    // read by its owner only: nothing to publish
      stats(2, {0.0, 3.0, 3.0}, 0.0, false),    // 6 remote reads: 6 x 2.3 us saved
      stats(3, {0.0, 1.0, 0.0}, 100.0, false),  // 1 remote read against 100 republications
      stats(4, {0.0, 0.0, 0.2}, 0.0, true),     // published, still read a little: kept (hysteresis)
  };
  ReadHistory history;
  const std::unordered_map<ObjectId, std::int64_t> dependents;
  std::vector<std::uint64_t> home;
  for (const DesiredShadow& shadow : make_planner(config, topology, 0, history, dependents)(objects))
    if (shadow.holder == 0) home.push_back(shadow.id.value);
  std::sort(home.begin(), home.end());
  EXPECT_EQ(home, (std::vector<std::uint64_t>{2, 4}));
}

}  // namespace
}  // namespace penumbra::shadow
