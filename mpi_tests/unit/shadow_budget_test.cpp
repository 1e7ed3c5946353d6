// The per-rank shadow budget: kept exactly, the least valuable per byte evicted, oversized objects refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "penumbra/errors.hpp"
#include "shadow/budget.hpp"
#include "shadow/plan.hpp"
#include "shadow_test_support.hpp"

namespace penumbra::shadow {
namespace {

using testing::no_rent;
using testing::object;
using testing::ranks_with_headroom;
using testing::round_costs;
using testing::separate_nodes;

std::vector<std::uint64_t> ids_of(std::span<const BudgetCandidate> candidates, const std::vector<std::size_t>& at) {
  std::vector<std::uint64_t> ids;
  for (std::size_t i : at) ids.push_back(candidates[i].id.value);
  std::ranges::sort(ids);
  return ids;
}

TEST(ShadowBudget, EqualSizesTheLeastValuableAreEvictedAndTheBudgetIsFilledExactly) {
  const std::vector<BudgetCandidate> candidates = {
      {ObjectId{1}, 50, 100}, {ObjectId{2}, 10, 100}, {ObjectId{3}, 70, 100},
      {ObjectId{4}, 30, 100}, {ObjectId{5}, 20, 100},
  };
  const BudgetFit fit = fit_budget(candidates, 300, 0.5);
  EXPECT_EQ(ids_of(candidates, fit.kept), (std::vector<std::uint64_t>{1, 3, 4}));
  EXPECT_EQ(ids_of(candidates, fit.evicted), (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(fit.used_bytes, 300U);
}

TEST(ShadowBudget, DensityRanksAndSmallerShadowsFillWhatIsLeft) {
  // Densities: 1 -> 1.0, 2 -> 1.5, 3 -> 0.33, 4 -> 1.5 (2 first: more value). Budget 100:
  // 2 (40) + 4 (20) = 60; 1 (50) does not fit; 3 (30) does: 90.
  const std::vector<BudgetCandidate> candidates = {
      {ObjectId{1}, 50, 50}, {ObjectId{2}, 60, 40}, {ObjectId{3}, 10, 30}, {ObjectId{4}, 30, 20}};
  const BudgetFit fit = fit_budget(candidates, 100, 0.0);
  EXPECT_EQ(fit.kept, (std::vector<std::size_t>{1, 3, 2}));
  EXPECT_EQ(fit.evicted, (std::vector<std::size_t>{0}));
  EXPECT_EQ(fit.used_bytes, 90U);
}

TEST(ShadowBudget, AnObjectLargerThanTheBudgetNeverFits) {
  const std::vector<BudgetCandidate> candidates = {{ObjectId{1}, 1e9, 101}, {ObjectId{2}, 1, 100}};
  const BudgetFit fit = fit_budget(candidates, 100, 0.0);
  EXPECT_EQ(fit.kept, (std::vector<std::size_t>{1}));
  EXPECT_EQ(fit.evicted, (std::vector<std::size_t>{0}));
  EXPECT_TRUE(fit_budget(candidates, 0, 0.0).kept.empty());
}

TEST(ShadowBudget, AHeldShadowIsCreditedTheHysteresis) {
  std::vector<BudgetCandidate> candidates = {{ObjectId{1}, 10.0, 64, true}, {ObjectId{2}, 10.3, 64, false}};
  EXPECT_EQ(ids_of(candidates, fit_budget(candidates, 64, 0.5).kept), (std::vector<std::uint64_t>{1}));
  candidates[1].value_us = 10.6;  // beats 10 + 0.5
  EXPECT_EQ(ids_of(candidates, fit_budget(candidates, 64, 0.5).kept), (std::vector<std::uint64_t>{2}));
}

TEST(ShadowBudget, RejectsNaNValues) {
  const std::vector<BudgetCandidate> candidates = {{ObjectId{1}, std::nan(""), 8}};
  EXPECT_THROW(fit_budget(candidates, 64, 0.5), InvalidArgument);
  EXPECT_THROW(fit_budget({}, 64, -1.0), InvalidArgument);
}

// Random sets: the budget always holds exactly, and each eviction is justified: the evicted shadow did not fit
// next to the denser shadows that were kept.
TEST(ShadowBudget, RandomSetsRespectTheBudgetAndEvictOnlyWhatDoesNotFit) {
  std::mt19937_64 random(42);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<BudgetCandidate> candidates(1 + random() % 40);
    for (std::size_t i = 0; i < candidates.size(); ++i)
      candidates[i] = {ObjectId{i}, std::uniform_real_distribution<double>(0.0, 100.0)(random), 1 + random() % 1000,
                       random() % 3 == 0};
    const std::uint64_t budget = random() % 8000;
    const double hysteresis = 0.5;
    const BudgetFit fit = fit_budget(candidates, budget, hysteresis);
    ASSERT_EQ(fit.kept.size() + fit.evicted.size(), candidates.size());
    std::uint64_t used = 0;
    for (std::size_t i : fit.kept) used += candidates[i].size_bytes;
    ASSERT_EQ(used, fit.used_bytes);
    ASSERT_LE(used, budget);
    const auto density = [&](std::size_t i) {
      return (candidates[i].value_us + (candidates[i].existing ? hysteresis : 0.0)) /
             static_cast<double>(candidates[i].size_bytes);
    };
    for (std::size_t e : fit.evicted) {
      std::uint64_t denser_kept = 0;
      for (std::size_t k : fit.kept)
        if (density(k) > density(e)) denser_kept += candidates[k].size_bytes;
      EXPECT_GT(denser_kept + candidates[e].size_bytes, budget) << "trial " << trial << ", candidate " << e;
    }
  }
}

TEST(ShadowBudget, PlanRespectsEveryRanksBudgetAndEvictsTheLeastRead) {
  // 4 ranks on separate nodes, 60 objects of 1000 bytes, each read by every non-owner with its own count; room
  // for 7 shadows per rank (7500 bytes), less on rank 2 (its own budget: 3000 bytes).
  constexpr int kRanks = 4;
  std::mt19937_64 random(3);
  std::vector<ObjectAccess> objects;
  for (std::uint64_t id = 1; id <= 60; ++id) {
    std::vector<double> reads(kRanks);
    for (double& r : reads) r = 1.0 + static_cast<double>(random() % 100'000) / 100.0;
    objects.push_back(object(id, static_cast<int>(id % kRanks), reads, 0.5, 1000));
  }
  for (std::uint64_t id = 1; id <= 60; id += 3)  // a third of them are held everywhere already
    for (int r = 0; r < kRanks; ++r)
      if (r != objects[id - 1].owner) objects[id - 1].holders.push_back(r);
  ShadowOptions options = no_rent();
  options.budget_bytes = 7500;
  std::vector<RankState> ranks = ranks_with_headroom(kRanks);
  ranks[2].budget_bytes = 3000;
  const ShadowDecision decision = plan_shadows(objects, separate_nodes(kRanks), ranks, round_costs(), options);

  for (int r = 0; r < kRanks; ++r) {
    const std::uint64_t budget = r == 2 ? 3000 : 7500;
    EXPECT_EQ(decision.bytes_by_rank[static_cast<std::size_t>(r)], (budget / 1000) * 1000) << "rank " << r;
    // Expected: the objects rank r reads most (held ones credited the hysteresis: 0.5 us over a value of
    // reads x 10 - 0.5 x 10), among those it does not own.
    std::vector<std::pair<double, std::uint64_t>> by_value;
    for (const auto& access : objects) {
      if (access.owner == r) continue;
      const bool held = std::ranges::count(access.holders, r) > 0;
      by_value.push_back(
          {access.reads_by_rank[static_cast<std::size_t>(r)] * 10.0 - 5.0 + (held ? 0.5 : 0.0), access.id.value});
    }
    std::ranges::sort(by_value, [](const auto& a, const auto& b) {  // fit_budget's tie break: lower id first
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<std::uint64_t> expected;
    for (std::size_t i = 0; i < budget / 1000; ++i) expected.push_back(by_value[i].second);
    std::ranges::sort(expected);
    std::vector<std::uint64_t> actual;
    for (const auto* list : {&decision.create, &decision.keep})
      for (const auto& copy : *list)
        if (copy.rank == r) actual.push_back(copy.id.value);
    std::ranges::sort(actual);
    EXPECT_EQ(actual, expected) << "rank " << r;
    // Every held shadow that is not kept is dropped for the budget.
    for (const auto& access : objects)
      if (std::ranges::count(access.holders, r) > 0 && !std::ranges::binary_search(expected, access.id.value)) {
        const auto it = std::ranges::find_if(
            decision.drop, [&](const ShadowPlacement& p) { return p.id == access.id && p.rank == r; });
        ASSERT_NE(it, decision.drop.end());
        EXPECT_EQ(it->reason, DropReason::over_budget);
      }
  }
}

TEST(ShadowBudget, AnEvictedCopyIsPlacedOnTheNextBestRank) {
  // k = 1. Object 1 is read most on rank 1, then rank 2; object 2 only on rank 1, and much more per byte.
  // Rank 1 has room for one: it keeps object 2, and object 1's copy goes to rank 2.
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  one.budget_bytes = 1000;
  const std::vector<ObjectAccess> objects = {object(1, 0, {0, 100, 90}, 0, 1000), object(2, 0, {0, 500, 0}, 0, 1000)};
  const ShadowDecision decision = plan_shadows(objects, separate_nodes(3), ranks_with_headroom(3), round_costs(), one);
  ASSERT_EQ(decision.create.size(), 2U);
  EXPECT_EQ(decision.create[0].id, ObjectId{1});
  EXPECT_EQ(decision.create[0].rank, 2);
  EXPECT_EQ(decision.create[1].id, ObjectId{2});
  EXPECT_EQ(decision.create[1].rank, 1);
}

TEST(ShadowBudget, AnObjectLargerThanARanksBudgetIsShadowedElsewhere) {
  ShadowOptions one = no_rent();
  one.max_copies = 1;
  std::vector<RankState> ranks = ranks_with_headroom(3);
  ranks[1].budget_bytes = 1 << 20;
  ObjectAccess big = object(1, 0, {0, 100, 10}, 0, 2 << 20);
  big.holders = {1};
  const std::vector<ObjectAccess> objects = {big};
  const ShadowDecision decision = plan_shadows(objects, separate_nodes(3), ranks, round_costs(), one);
  ASSERT_EQ(decision.create.size(), 1U);
  EXPECT_EQ(decision.create[0].rank, 2);
  ASSERT_EQ(decision.drop.size(), 1U);
  EXPECT_EQ(decision.drop[0].rank, 1);
  EXPECT_EQ(decision.drop[0].reason, DropReason::over_budget);
}

// The window's occupants compete per byte when a newcomer needs room (resident_to_evict). Densities below are
// worked out by hand: value / capacity.
TEST(ShadowEviction, TheResidentWorthLeastPerByteGivesWayIfTheNewcomerIsWorthMore) {
  const std::vector<WindowResident> residents = {
      {ObjectId{1}, 40.0, 100, false},  // 0.4 per byte
      {ObjectId{2}, 10.0, 100, true},   // 0.1: the cheapest, a home copy
      {ObjectId{3}, 30.0, 50, false},   // 0.6
  };
  EXPECT_EQ(resident_to_evict(residents, 0.2), std::optional<std::size_t>(1));
  // Worth no more per byte than the cheapest resident: nobody leaves (equal is not more).
  EXPECT_EQ(resident_to_evict(residents, 0.1), std::nullopt);
  EXPECT_EQ(resident_to_evict(residents, 0.05), std::nullopt);
}

TEST(ShadowEviction, DensityNotValueDecides) {
  // 50 us over 1000 bytes (0.05 per byte) goes before 5 us over 10 bytes (0.5 per byte).
  const std::vector<WindowResident> residents = {{ObjectId{1}, 5.0, 10, false}, {ObjectId{2}, 50.0, 1000, false}};
  EXPECT_EQ(resident_to_evict(residents, 1.0), std::optional<std::size_t>(1));
}

TEST(ShadowEviction, OnEqualDensityAHeldShadowGoesBeforeAHomeCopyThenTheLowerId) {
  const std::vector<WindowResident> shadow_and_home = {{ObjectId{1}, 20.0, 100, true}, {ObjectId{9}, 40.0, 200, false}};
  EXPECT_EQ(resident_to_evict(shadow_and_home, 1.0), std::optional<std::size_t>(1));
  const std::vector<WindowResident> two_shadows = {{ObjectId{7}, 20.0, 100, false}, {ObjectId{3}, 20.0, 100, false}};
  EXPECT_EQ(resident_to_evict(two_shadows, 1.0), std::optional<std::size_t>(1));
}

TEST(ShadowEviction, AnEmptyWindowEvictsNothing) { EXPECT_EQ(resident_to_evict({}, 1e9), std::nullopt); }

}  // namespace
}  // namespace penumbra::shadow
