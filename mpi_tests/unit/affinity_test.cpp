// Affinity: each term on a case whose answer is known by hand, the hysteresis margin, and bad input.
#include "penumbra/affinity.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

// All weights 0 but the ones a test sets, so that each test sees one term.
AffinityOptions weights_off() {
  AffinityOptions options;
  options.locality_weight = options.dependency_weight = options.processing_weight = 0.0;
  options.headroom_weight = options.proximity_weight = options.migration_weight = 0.0;
  options.margin = 0.0;
  return options;
}

AffinityInput ranks(int count, double load = 1.0) {
  AffinityInput input;
  input.rank_count = count;
  input.predicted_load.assign(count, load);
  return input;
}

AffinityObject object(std::uint64_t id, int owner) {
  AffinityObject o;
  o.id = ObjectId{id};
  o.owner = owner;
  return o;
}

TEST(Affinity, PrefersTheRankWithMostAccesses) {
  AffinityOptions options = weights_off();
  options.locality_weight = 1.0;
  AffinityInput input = ranks(4);
  AffinityObject o = object(1, 0);
  o.accesses = {{0, 10, 1000}, {2, 30, 3000}, {3, 10, 1000}};
  input.objects.push_back(o);
  const Affinity a = AffinityCalculator(options).compute(input).at(0);
  EXPECT_EQ(a.preferred_rank, 2);
  EXPECT_TRUE(a.better_elsewhere());
  EXPECT_NEAR(a.score, 0.6, 1e-12);  // 30 of 50 accesses, 3000 of 5000 bytes
  EXPECT_NEAR(a.owner_score, 0.2, 1e-12);
}

TEST(Affinity, LocalityWeighsCountsAndBytesEqually) {
  AffinityOptions options = weights_off();
  options.locality_weight = 1.0;
  AffinityInput input = ranks(2);
  AffinityObject o = object(1, 0);
  o.accesses = {{0, 90, 900}, {1, 10, 9100}};  // rank 0 reads often but little; rank 1 rarely but a lot
  input.objects.push_back(o);
  const auto scores = AffinityCalculator(options).explain(input, 0);
  ASSERT_EQ(scores.size(), 2U);
  EXPECT_EQ(scores[0].rank, 1);
  EXPECT_NEAR(scores[0].terms.locality, 0.5 * (0.1 + 0.91), 1e-12);
  EXPECT_NEAR(scores[1].terms.locality, 0.5 * (0.9 + 0.09), 1e-12);
}

TEST(Affinity, PrefersTheRankHoldingItsDependencies) {
  AffinityOptions options = weights_off();
  options.dependency_weight = 1.0;
  AffinityInput input = ranks(3);
  AffinityObject o = object(1, 0);
  o.dependencies = {ObjectId{10}, ObjectId{11}, ObjectId{12}, ObjectId{99}};  // 99: placement unknown
  input.objects.push_back(o);
  input.placements = {{ObjectId{10}, 1, {}}, {ObjectId{11}, 1, {2}}, {ObjectId{12}, 0, {2}}};
  const auto scores = AffinityCalculator(options).explain(input, 0);
  // Of the three known dependencies rank 1 owns two (2 / 3), rank 2 shadows two (2 x 0.5 / 3), rank 0 owns one.
  ASSERT_EQ(scores.size(), 3U);
  EXPECT_EQ(scores[0].rank, 1);
  EXPECT_NEAR(scores[0].terms.dependency, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(scores[1].terms.dependency, 1.0 / 3.0, 1e-12);  // ranks 0 and 2 tie: owner first
  EXPECT_EQ(scores[1].rank, 0);
  EXPECT_NEAR(scores[2].terms.dependency, 1.0 / 3.0, 1e-12);
  EXPECT_EQ(AffinityCalculator(options).compute(input).at(0).preferred_rank, 1);
}

TEST(Affinity, StaysPutInsideTheMarginAndMovesBeyondIt) {
  AffinityOptions options = weights_off();
  options.locality_weight = 1.0;
  AffinityInput input = ranks(2);
  AffinityObject o = object(1, 0);
  o.accesses = {{0, 45, 0}, {1, 55, 0}};  // rank 1 beats the owner by 0.10
  input.objects.push_back(o);
  options.margin = 0.15;
  Affinity a = AffinityCalculator(options).compute(input).at(0);
  EXPECT_EQ(a.preferred_rank, 0);
  EXPECT_FALSE(a.better_elsewhere());
  EXPECT_EQ(a.best_other_rank, 1);
  EXPECT_NEAR(a.best_other_score, 0.55, 1e-12);
  EXPECT_NEAR(a.score, a.owner_score, 0.0);
  options.margin = 0.05;
  a = AffinityCalculator(options).compute(input).at(0);
  EXPECT_EQ(a.preferred_rank, 1);
  EXPECT_NEAR(a.score - a.owner_score, 0.10, 1e-12);
}

TEST(Affinity, HeadroomMovesWorkFromAnOverloadedOwnerToAnIdleRank) {
  AffinityOptions options = weights_off();
  options.headroom_weight = 1.0;
  AffinityInput input = ranks(3);
  input.predicted_load = {10.0, 4.0, 1.0};  // mean 5
  AffinityObject o = object(1, 0);
  o.cost_seconds = 2.0;
  input.objects.push_back(o);
  const auto scores = AffinityCalculator(options).explain(input, 0);
  // Owner: (5 - 10) / 5 = -1. Rank 1: (5 - (4 + 2)) / 5 = -0.2. Rank 2: (5 - (1 + 2)) / 5 = 0.4.
  ASSERT_EQ(scores.size(), 3U);
  EXPECT_EQ(scores[0].rank, 2);
  EXPECT_NEAR(scores[0].score, 0.4, 1e-12);
  EXPECT_NEAR(scores[1].score, -0.2, 1e-12);
  EXPECT_NEAR(scores[2].score, -1.0, 1e-12);
}

TEST(Affinity, HeadroomUsesCapacitiesAndUncertaintyWhenGiven) {
  AffinityOptions options = weights_off();
  options.headroom_weight = 1.0;
  options.uncertainty_weight = 2.0;
  AffinityInput input = ranks(2);
  input.predicted_load = {6.0, 6.0};
  input.load_uncertainty = {0.0, 1.0};  // rank 1 counts as 6 + 2 x 1 = 8
  input.capacity = {10.0, 20.0};        // mean capacity 15
  AffinityObject o = object(1, 0);
  o.cost_seconds = 1.0;
  input.objects.push_back(o);
  const auto scores = AffinityCalculator(options).explain(input, 0);
  EXPECT_EQ(scores[0].rank, 1);
  EXPECT_NEAR(scores[0].terms.headroom, (20.0 - (8.0 + 1.0)) / 15.0, 1e-12);
  EXPECT_NEAR(scores[1].terms.headroom, (10.0 - 6.0) / 15.0, 1e-12);
}

TEST(Affinity, ProcessingPrefersAFasterRank) {
  AffinityOptions options = weights_off();
  options.processing_weight = 1.0;
  AffinityInput input = ranks(3, 2.0);  // mean load 2
  input.speed = {1.0, 2.0, 0.5};
  AffinityObject o = object(1, 0);
  o.cost_seconds = 1.0;
  input.objects.push_back(o);
  const auto scores = AffinityCalculator(options).explain(input, 0);
  // Time on rank 1: 0.5 s, saves 0.5 / 2 = 0.25; on rank 2: 2 s, loses 1 / 2 = 0.5.
  EXPECT_EQ(scores[0].rank, 1);
  EXPECT_NEAR(scores[0].terms.processing, 0.25, 1e-12);
  EXPECT_NEAR(scores[2].terms.processing, -0.5, 1e-12);
}

TEST(Affinity, ProximityBreaksOtherwiseEqualChoicesTowardsTheOwner) {
  AffinityOptions options = weights_off();
  options.locality_weight = 1.0;
  options.proximity_weight = 0.1;
  AffinityInput input = ranks(3);
  // Rank 1 shares the owner's node (cost 1), rank 2 is on another node (cost 4).
  input.proximity_cost = {{0, 1, 4}, {1, 0, 4}, {4, 4, 0}};
  AffinityObject o = object(1, 0);
  o.accesses = {{1, 50, 0}, {2, 50, 0}};
  input.objects.push_back(o);
  const Affinity a = AffinityCalculator(options).compute(input).at(0);
  EXPECT_EQ(a.preferred_rank, 1);
  EXPECT_NEAR(a.score, 0.5 + 0.1 * (1.0 - 1.0 / 4.0), 1e-12);
  EXPECT_NEAR(a.owner_score, 0.1, 1e-12);  // the owner is at distance 0
}

TEST(Affinity, MigrationCostKeepsABigObjectFromAFarMove) {
  AffinityOptions options = weights_off();
  options.locality_weight = 1.0;
  options.migration_weight = 1.0;
  options.margin = 0.1;
  AffinityInput input = ranks(2, 1.0);  // an average rank works 1 s per epoch
  input.bandwidth = {{0.0, 1e8}, {1e8, 0.0}};
  AffinityObject small = object(1, 0), big = object(2, 0);
  small.size_bytes = 1'000'000;  // 0.01 s to move: 0.01 of an epoch
  big.size_bytes = 100'000'000;  // 1 s to move: a whole epoch
  small.accesses = big.accesses = {{0, 30, 0}, {1, 70, 0}};
  input.objects = {small, big};
  const auto result = AffinityCalculator(options).compute(input);
  EXPECT_EQ(result[0].preferred_rank, 1);
  EXPECT_NEAR(result[0].score, 0.7 - 0.01, 1e-12);
  EXPECT_EQ(result[1].preferred_rank, 0);
  EXPECT_NEAR(result[1].best_other_score, 0.7 - 1.0, 1e-12);
}

TEST(Affinity, DefaultWeightsSendAHotRemoteObjectToItsReaderWithRoom) {
  // The default options, all terms on: rank 0 is overloaded and owns an object that rank 1 reads almost
  // exclusively and whose dependencies rank 1 holds; rank 1 has room.
  AffinityInput input = ranks(4);
  input.predicted_load = {8.0, 2.0, 3.0, 3.0};
  AffinityObject o = object(1, 0);
  o.cost_seconds = 1.0;
  o.size_bytes = 1 << 20;
  o.accesses = {{0, 5, 5000}, {1, 95, 95000}};
  o.dependencies = {ObjectId{7}, ObjectId{8}};
  input.placements = {{ObjectId{7}, 1, {}}, {ObjectId{8}, 1, {}}};
  AffinityObject quiet = object(2, 1);  // no accesses, on the least loaded rank already: stays
  quiet.cost_seconds = 0.5;
  input.objects = {o, quiet};
  const auto result = AffinityCalculator().compute(input);
  EXPECT_EQ(result[0].preferred_rank, 1);
  EXPECT_FALSE(result[1].better_elsewhere());
}

TEST(Affinity, ScansOnlyRelevantRanksAboveTheFullScanLimit) {
  AffinityOptions options;
  options.full_scan_ranks = 8;
  options.headroom_candidates = 2;
  AffinityInput input = ranks(1000, 5.0);
  input.predicted_load[500] = 0.0;
  input.predicted_load[600] = 1.0;
  AffinityObject o = object(1, 3);
  o.accesses = {{3, 1, 8}, {42, 9, 72}};
  o.dependencies = {ObjectId{5}};
  input.placements = {{ObjectId{5}, 77, {78}}};
  input.objects.push_back(o);
  std::vector<int> seen;
  for (const RankScore& s : AffinityCalculator(options).explain(input, 0)) seen.push_back(s.rank);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{3, 42, 77, 78, 500, 600}));
}

TEST(Affinity, RejectsBadInputNamingIt) {
  const AffinityCalculator calculator;
  AffinityInput input = ranks(2);
  input.objects.push_back(object(1, 0));
  EXPECT_NO_THROW(calculator.compute(input));

  AffinityInput bad = input;
  bad.objects[0].owner = 2;
  EXPECT_THROW(calculator.compute(bad), InvalidArgument);
  bad = input;
  bad.objects[0].cost_seconds = -1.0;
  try {
    calculator.compute(bad);
    FAIL();
  } catch (const InvalidLoad& error) {
    EXPECT_NE(std::string(error.what()).find("-1"), std::string::npos) << error.what();
  }
  bad = input;
  bad.predicted_load = {1.0};
  EXPECT_THROW(calculator.compute(bad), InvalidLoad);
  bad = input;
  bad.predicted_load[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(calculator.compute(bad), InvalidLoad);
  bad = input;
  bad.proximity_cost = {{0, 1}, {1}};
  EXPECT_THROW(calculator.compute(bad), InvalidLoad);
  bad = input;
  bad.speed = {1.0, 0.0};
  EXPECT_THROW(calculator.compute(bad), InvalidLoad);
  bad = input;
  bad.objects.push_back(object(1, 1));  // the same id twice
  EXPECT_THROW(calculator.compute(bad), InvalidArgument);
  bad = input;
  bad.objects[0].accesses = {{5, 1, 1}};
  EXPECT_THROW(calculator.compute(bad), InvalidArgument);
  bad = input;
  bad.rank_count = 0;
  EXPECT_THROW(calculator.compute(bad), InvalidArgument);
  EXPECT_THROW(calculator.explain(input, 3), InvalidArgument);

  AffinityOptions options;
  options.locality_weight = 11.0;
  try {
    AffinityCalculator rejected(options);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "affinity.locality_weight");
    EXPECT_EQ(error.value(), "11");
  }
  options = {};
  options.margin = -0.1;
  EXPECT_THROW(options.validate(), ConfigError);
  options = {};
  options.shadow_credit = 2.0;
  EXPECT_THROW(options.validate(), ConfigError);
}

}  // namespace
}  // namespace penumbra
