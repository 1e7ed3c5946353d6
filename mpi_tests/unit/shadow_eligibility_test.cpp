// Shadow eligibility: the cost model, the options, the forecast and the value of one copy. Expected values
// are computed here by hand from the model's numbers, not by calling the code under test.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "penumbra/errors.hpp"
#include "penumbra/shadow.hpp"
#include "shadow/eligibility.hpp"
#include "shadow/plan.hpp"
#include "shadow_test_support.hpp"

namespace penumbra::shadow {
namespace {

using testing::no_rent;
using testing::nodes;
using testing::object;
using testing::round_costs;
using testing::separate_nodes;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ShadowCostModel, ReadAndPropagationTimesFollowTheProximityClass) {
  const Topology topology = nodes({0, 0, 1});
  CostModel model;
  model.read_by_proximity[static_cast<std::size_t>(Proximity::self)] = {0.5, 0.25};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::same_node)] = {2.0, 1.0};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::other_node)] = {20.0, 4.0};
  model.propagation_base_us = 3.0;
  model.propagation_us_per_kib = 0.5;
  const CostTable table(topology, model);
  EXPECT_DOUBLE_EQ(table.read_us(1, 1, 2048), 0.5 + 0.25 * 2);
  EXPECT_DOUBLE_EQ(table.read_us(0, 1, 2048), 2.0 + 1.0 * 2);
  EXPECT_DOUBLE_EQ(table.read_us(2, 0, 2048), 20.0 + 4.0 * 2);
  EXPECT_DOUBLE_EQ(table.propagation_us(0, 2, 2048), (20.0 + 4.0 * 2) + 3.0 + 0.5 * 2);
}

TEST(ShadowCostModel, MeasuredLatencyReplacesTheClassBase) {
  // Row-major 3 x 3; the diagonal (0 from the probe) is never used: a local read costs the `self` class.
  const Topology topology = nodes({0, 0, 0}, {0, 7, 9, 7, 0, 8, 9, 8, 0});
  CostModel model = round_costs();
  const CostTable measured(topology, model);
  EXPECT_DOUBLE_EQ(measured.read_us(0, 2, 4096), 9.0);
  EXPECT_DOUBLE_EQ(measured.read_us(2, 1, 4096), 8.0);
  EXPECT_DOUBLE_EQ(measured.read_us(1, 1, 4096), 0.0);
  model.use_measured_latency = false;
  const CostTable classes(topology, model);
  EXPECT_DOUBLE_EQ(classes.read_us(0, 2, 4096), 1.0);  // same_node in round_costs
}

// What a reader has measured raises its modelled read times, never lowers them; a published owner (no service
// time in the model) is read one-sided, so the reader's two-sided figure does not apply to it.
TEST(ShadowCostModel, ObservedReadCostsRaiseTheReadersTimes) {
  const Topology topology = nodes({0, 0, 0});
  CostModel model;
  model.read_by_proximity[static_cast<std::size_t>(Proximity::self)] = {0.5, 0.0};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::same_node)] = {2.0, 0.0};
  model.owner_service = {3.0, 0.0};
  model.observed = {{.one_sided_us = 12.0, .owner_us = 40.0}, {.one_sided_us = 1.0, .owner_us = 0.0}, {}};
  const CostTable table(topology, model);
  EXPECT_DOUBLE_EQ(table.read_us(0, 1, 64), 12.0) << "measured 12 us over the model's 2";
  EXPECT_DOUBLE_EQ(table.read_us(1, 0, 64), 2.0) << "measured 1 us: the model's 2 stands";
  EXPECT_DOUBLE_EQ(table.read_us(2, 0, 64), 12.0)
      << "nothing measured: the median of the ranks that measured one (1 and 12, the upper of two)";
  EXPECT_DOUBLE_EQ(table.read_us(0, 0, 64), 0.5) << "a local read is the self class";
  EXPECT_DOUBLE_EQ(table.owner_read_us(0, 1, 64), 40.0) << "measured two-sided over 12 + 3";
  EXPECT_DOUBLE_EQ(table.owner_read_us(1, 0, 64), 40.0) << "no owner read measured: the one rank that did, 40";
  model.owner_service = {};
  const CostTable published(topology, model);
  EXPECT_DOUBLE_EQ(published.owner_read_us(0, 1, 64), 12.0) << "one-sided from the home copy";
  model.observed[2].owner_us = kNaN;
  EXPECT_THROW(model.validate(), InvalidArgument);
}

// A rank that has not asked an owner yet pays what the ranks that did paid (they share the machine): the median
// of the measured ones, which a measured figure of its own replaces, and which never lowers the model.
TEST(ShadowCostModel, AReaderWithoutMeasurementsPaysTheMedianOfTheOthers) {
  const Topology topology = nodes({0, 0, 0, 0, 0});
  CostModel model;
  model.read_by_proximity[static_cast<std::size_t>(Proximity::same_node)] = {2.0, 0.0};
  model.owner_service = {3.0, 0.0};
  model.observed = {{.owner_us = 0.0}, {.owner_us = 100.0}, {.owner_us = 900.0}, {.owner_us = 300.0}, {}};
  const CostTable table(topology, model);
  EXPECT_DOUBLE_EQ(table.owner_read_us(0, 1, 64), 300.0) << "the median of 100, 300 and 900";
  EXPECT_DOUBLE_EQ(table.owner_read_us(4, 1, 64), 300.0);
  EXPECT_DOUBLE_EQ(table.owner_read_us(1, 0, 64), 100.0) << "its own measurement, not the median";
  EXPECT_DOUBLE_EQ(table.read_us(0, 1, 64), 2.0) << "no one-sided read measured anywhere: the model";
  model.observed = {{}, {.owner_us = 1.0}, {}, {}, {}};
  const CostTable fast(topology, model);
  EXPECT_DOUBLE_EQ(fast.owner_read_us(0, 1, 64), 2.0 + 3.0) << "a median below the model does not lower it";
}

TEST(ShadowCostModel, BadCostsAreRejectedByName) {
  const Topology topology = separate_nodes(2);
  CostModel model;
  model.propagation_base_us = -1.0;
  try {
    const CostTable table(topology, model);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("propagation_base_us = -1"), std::string::npos) << error.what();
  }
  model = CostModel{};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::other_node)].us_per_kib = kNaN;
  EXPECT_THROW(model.validate(), InvalidArgument);
  const Topology bad_probe = nodes({0, 0}, {0, kNaN, 1, 0});
  const CostTable table(bad_probe, CostModel{});
  EXPECT_THROW((void)table.read_us(0, 1, 8), InvalidArgument);
  EXPECT_DOUBLE_EQ(table.read_us(1, 0, 8), 1.0 + CostModel{}.read_by_proximity[5].us_per_kib * 8 / 1024.0);
}

TEST(ShadowOptions, DefaultsAreValid) {
  const ShadowOptions options;
  EXPECT_NO_THROW(options.validate());
  EXPECT_TRUE(options.enabled);
  EXPECT_EQ(options.max_copies, 2);  // "a few" copies; full replication only when asked
  EXPECT_EQ(options.budget_bytes, 16 << 20);
}

TEST(ShadowOptions, EachBadValueNamesItsKeyAndValue) {
  struct Case {
    std::function<void(ShadowOptions&)> set;
    const char* key;
    const char* value;
  };
  const std::vector<Case> cases = {
      {[](ShadowOptions& o) { o.max_copies = 0; }, "shadow.max_copies", "0"},
      {[](ShadowOptions& o) { o.max_copies = -1; }, "shadow.max_copies", "-1"},
      {[](ShadowOptions& o) { o.budget_bytes = 0; }, "shadow.budget_bytes", "0"},
      {[](ShadowOptions& o) { o.budget_bytes = -5; }, "shadow.budget_bytes", "-5"},
      {[](ShadowOptions& o) { o.resident_bytes = -1; }, "shadow.resident_bytes", "-1"},
      {[](ShadowOptions& o) { o.min_value_us = -1.0; }, "shadow.min_value_us", "-1"},
      {[](ShadowOptions& o) { o.hysteresis_us = kNaN; }, "shadow.hysteresis_us", "nan"},
      {[](ShadowOptions& o) { o.dependency_weight = -0.5; }, "shadow.dependency_weight", "-0.5"},
      {[](ShadowOptions& o) { o.memory_weight_us_per_mib = std::numeric_limits<double>::infinity(); },
       "shadow.memory_weight_us_per_mib", "inf"},
      {[](ShadowOptions& o) { o.trend_damping = 1.5; }, "shadow.trend_damping", "1.5"},
      {[](ShadowOptions& o) { o.headroom_weight = -1.0; }, "shadow.headroom_weight", "-1"},
      {[](ShadowOptions& o) { o.max_candidates = 0; }, "shadow.max_candidates", "0"},
      {[](ShadowOptions& o) { o.max_versions_behind = -1; }, "shadow.max_versions_behind", "-1"},
      {[](ShadowOptions& o) { o.max_age_us = 0.0; }, "shadow.max_age_us", "0"},
      {[](ShadowOptions& o) { o.history_versions = 0; }, "shadow.history_versions", "0"},
  };
  for (const Case& c : cases) {
    ShadowOptions options;
    c.set(options);
    try {
      options.validate();
      ADD_FAILURE() << "expected ConfigError for " << c.key;
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), c.key);
      EXPECT_EQ(error.value(), c.value);
      EXPECT_FALSE(error.allowed().empty());
    }
  }
}

TEST(ShadowOptions, ZeroBudgetIsOnlyValidWithShadowsDisabled) {
  ShadowOptions options;
  options.budget_bytes = 0;
  EXPECT_THROW(options.validate(), ConfigError);
  options.enabled = false;
  EXPECT_NO_THROW(options.validate());
}

TEST(ShadowEligibility, PredictionUsesForecastElseDampedTrendElseLastWindow) {
  ObjectAccess access = object(1, 0, {10, 20, 30});
  access.writes = 40;
  EXPECT_EQ(predict(access, 0.5).reads_by_rank, (std::vector<double>{10, 20, 30}));
  EXPECT_EQ(predict(access, 0.5).writes, 40.0);

  access.previous_reads_by_rank = {10, 10, 50};
  access.previous_writes = 20;
  const Prediction trended = predict(access, 0.5);
  // 10 + 0.5 (10 - 10), 20 + 0.5 (20 - 10), 30 + 0.5 (30 - 50); writes 40 + 0.5 (40 - 20).
  EXPECT_EQ(trended.reads_by_rank, (std::vector<double>{10, 25, 20}));
  EXPECT_EQ(trended.writes, 50.0);
  access.previous_reads_by_rank = {10, 10, 100};  // 30 + 0.5 (30 - 100) < 0: clamped
  EXPECT_EQ(predict(access, 0.5).reads_by_rank[2], 0.0);
  EXPECT_EQ(predict(access, 0.0).reads_by_rank, access.reads_by_rank);

  // Sparse counts (fewer than 8 in the two windows): a difference of a few reads is noise, the forecast is the
  // mean. The damped trend would forecast 1.5, 0 (below 0, clamped) and 4.5 reads; writes 0 (clamped).
  access.reads_by_rank = {1, 0, 3};
  access.previous_reads_by_rank = {0, 1, 0};
  access.writes = 0;
  access.previous_writes = 2;
  EXPECT_EQ(predict(access, 0.5).reads_by_rank, (std::vector<double>{0.5, 0.5, 1.5}));
  EXPECT_EQ(predict(access, 0.5).writes, 1.0);

  access.forecast_reads_by_rank = {1, 2, 3};
  access.forecast_writes = 9;
  EXPECT_EQ(predict(access, 0.5).reads_by_rank, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(predict(access, 0.5).writes, 9.0);
}

// shadow.declared_reads: reads the declared dependencies imply are a floor under the forecast, rank by rank.
TEST(ShadowEligibility, DeclaredReadsAreAFloorUnderThePrediction) {
  ObjectAccess access = object(1, 0, {0, 4, 30});
  access.declared_reads_by_rank = {0, 10, 10};
  EXPECT_EQ(predict(access, 0.5).reads_by_rank, (std::vector<double>{0, 10, 30}));
  access.forecast_reads_by_rank = {0, 2, 50};
  EXPECT_EQ(predict(access, 0.5).reads_by_rank, (std::vector<double>{0, 10, 50})) << "over a forecast too";
  access.declared_reads_by_rank = {0, 10};
  EXPECT_THROW(validate_access(access, 3), InvalidArgument);
  access.declared_reads_by_rank = {0, kNaN, 1};
  EXPECT_THROW(validate_access(access, 3), InvalidArgument);
}

// The worked example of docs/shadows.md, with the default cost model and options.
TEST(ShadowEligibility, WorkedExampleFromTheDocs) {
  const Topology topology = nodes({0, 0, 1, 1});
  const CostModel costs;
  const ShadowOptions options;
  ObjectAccess access = object(7, 0, {50, 40, 400, 100}, 10, 4096);
  access.previous_reads_by_rank = {50, 40, 300, 100};
  access.dependents = 2;

  const double local = 0.03 + 0.0089 * 4, node = 0.07 + 0.0094 * 4, remote = 2.0 + 0.1 * 4;
  const double reads2 = 400 + 0.5 * (400 - 300);
  const double dependency = 1 + 0.1 * 2;
  const double memory = 1.0 * 4096 / (1024.0 * 1024.0);
  const double propagation_remote = 10 * (remote + 0.1 + 0.0089 * 4);
  const double propagation_node = 10 * (node + 0.1 + 0.0089 * 4);

  const CostTable table(topology, costs);
  const ObjectValue model(access, table, options);
  const ValueTerms at2 = model.terms_with(2, {});
  EXPECT_NEAR(at2.read_saving_us, reads2 * (remote - local) + 100 * (remote - node), 1e-9);
  EXPECT_DOUBLE_EQ(at2.dependency_factor, dependency);
  EXPECT_NEAR(at2.propagation_us, propagation_remote, 1e-9);
  EXPECT_NEAR(at2.memory_us, memory, 1e-12);
  const double value2 = (reads2 * (remote - local) + 100 * (remote - node)) * dependency - propagation_remote - memory;
  EXPECT_NEAR(at2.value_us(), value2, 1e-9);
  EXPECT_NEAR(value2, 1510.304, 1e-3);  // the figure quoted in the docs

  // Rank 3 next to the copy on rank 2 saves only the step from its node to its own memory.
  const std::vector<int> copy_on_2 = {2};
  EXPECT_NEAR(model.terms_with(3, copy_on_2).value_us(),
              100 * (node - local) * dependency - propagation_remote - memory, 1e-9);
  // Rank 1, next to the owner: -0.42 us, between -hysteresis and min_value.
  const double value1 = 40 * (node - local) * dependency - propagation_node - memory;
  EXPECT_NEAR(model.terms_with(1, {}).value_us(), value1, 1e-9);
  EXPECT_NEAR(value1, -0.420, 1e-3);

  const std::vector<ObjectAccess> objects = {access};
  const auto idle = testing::ranks_with_headroom(4);
  const ShadowDecision fresh = plan_shadows(objects, topology, idle, costs, options);
  ASSERT_EQ(fresh.create.size(), 1U);
  EXPECT_EQ(fresh.create[0].rank, 2);
  EXPECT_NEAR(fresh.create[0].value_us, value2, 1e-9);
  // The same object with a shadow already on rank 1: it is kept (its value dipped less than the hysteresis).
  access.holders = {1};
  const std::vector<ObjectAccess> held = {access};
  const ShadowDecision again = plan_shadows(held, topology, idle, costs, options);
  ASSERT_EQ(again.keep.size(), 1U);
  EXPECT_EQ(again.keep[0].rank, 1);
  ASSERT_EQ(again.create.size(), 1U);
  EXPECT_EQ(again.create[0].rank, 2);
}

TEST(ShadowEligibility, DependentsRaiseTheReadSaving) {
  const Topology topology = separate_nodes(2);
  const CostModel costs = round_costs();
  const CostTable table(topology, costs);
  ShadowOptions options = no_rent();
  options.dependency_weight = 0.25;
  ObjectAccess access = object(1, 0, {0, 10}, 5);
  const double plain = ObjectValue(access, table, options).terms_with(1, {}).value_us();
  EXPECT_DOUBLE_EQ(plain, 10 * 10.0 - 5 * 10.0);
  access.dependents = 4;
  const double relied_on = ObjectValue(access, table, options).terms_with(1, {}).value_us();
  EXPECT_DOUBLE_EQ(relied_on, 10 * 10.0 * (1 + 0.25 * 4) - 5 * 10.0);
  EXPECT_GT(relied_on, plain);
}

TEST(ShadowEligibility, RisingTrendRaisesTheValueAndFallingLowersIt) {
  const Topology topology = separate_nodes(2);
  const CostModel costs = round_costs();
  const CostTable table(topology, costs);
  const ShadowOptions options = no_rent();
  ObjectAccess access = object(1, 0, {0, 10}, 1);
  const double flat = ObjectValue(access, table, options).terms_with(1, {}).value_us();
  access.previous_reads_by_rank = {0, 4};  // rising: 10 + 0.5 x 6 = 13 reads expected
  const double rising = ObjectValue(access, table, options).terms_with(1, {}).value_us();
  EXPECT_DOUBLE_EQ(rising, 13 * 10.0 - 1 * 10.0);
  EXPECT_GT(rising, flat);
  access.previous_reads_by_rank = {0, 16};  // falling: 10 - 0.5 x 6 = 7
  EXPECT_DOUBLE_EQ(ObjectValue(access, table, options).terms_with(1, {}).value_us(), 7 * 10.0 - 1 * 10.0);
}

TEST(ShadowEligibility, ACopyNextToAnotherIsWorthLess) {
  // Owner 0 alone on node 0; ranks 1 and 2 share node 1.
  const Topology topology = nodes({0, 1, 1});
  const CostModel costs = round_costs();
  const CostTable table(topology, costs);
  const ObjectValue model(object(1, 0, {0, 100, 80}), table, no_rent());
  const double alone = model.terms_with(2, {}).value_us();
  EXPECT_DOUBLE_EQ(alone, 80 * (10.0 - 0.0) + 100 * (10.0 - 1.0));  // rank 1 reads it from its node
  const std::vector<int> copy_on_1 = {1};
  EXPECT_DOUBLE_EQ(model.terms_with(2, copy_on_1).value_us(), 80 * (1.0 - 0.0));
}

TEST(ShadowEligibility, WritesCostEveryHolderAPropagation) {
  const Topology topology = separate_nodes(2);
  const CostModel costs = round_costs();
  const CostTable table(topology, costs);
  // Reads equal to writes: each read saves 10 us, each write costs 10 us to propagate: worth nothing.
  EXPECT_DOUBLE_EQ(ObjectValue(object(1, 0, {0, 50}, 50), table, no_rent()).terms_with(1, {}).value_us(), 0.0);
  EXPECT_LT(ObjectValue(object(1, 0, {0, 50}, 80), table, no_rent()).terms_with(1, {}).value_us(), 0.0);
}

// A read from the owner goes through its CPU (two-sided), so a shadow saves the owner-service cost on top of
// the one-sided time; a read from another shadow does not.
TEST(ShadowEligibility, OwnerServiceCostIsSavedOnlyAgainstTheOwnersCopy) {
  const Topology topology = separate_nodes(3);
  CostModel costs = round_costs();
  costs.owner_service = {4.0, 0.0};
  const CostTable table(topology, costs);
  EXPECT_DOUBLE_EQ(table.owner_read_us(1, 0, 64), 10.0 + 4.0);
  EXPECT_DOUBLE_EQ(table.owner_read_us(0, 0, 64), 0.0);
  // Reader 2 (5 reads): owner copy 14 us, shadow on 1 is 10 us away, local copy 0.
  const ObjectValue value(object(1, 0, {0, 0, 5}), table, no_rent());
  EXPECT_DOUBLE_EQ(value.terms_with(2, {}).read_saving_us, 5 * 14.0);
  const int one[] = {1};
  EXPECT_DOUBLE_EQ(value.terms_with(2, one).read_saving_us, 5 * 10.0);
}

// Without remote shadow reads a copy serves only its holder: a second reader gains nothing from it.
TEST(ShadowEligibility, WithoutRemoteShadowReadsACopyServesOnlyItsHolder) {
  const Topology topology = separate_nodes(3);
  CostModel costs = round_costs();
  costs.owner_service = {4.0, 0.0};
  costs.remote_shadow_reads = false;
  const CostTable table(topology, costs);
  const ObjectValue value(object(1, 0, {0, 3, 5}), table, no_rent());
  EXPECT_DOUBLE_EQ(value.terms_with(1, {}).read_saving_us, 3 * 14.0);  // reader 2 still reads the owner
  const int one[] = {1};
  EXPECT_DOUBLE_EQ(value.terms_with(2, one).read_saving_us, 5 * 14.0);  // the copy on 1 does not serve 2
}

TEST(ShadowEligibility, BadAccessNamesTheValue) {
  const auto expect_message = [](const ObjectAccess& access, const std::string& text) {
    try {
      validate_access(access, 3);
      ADD_FAILURE() << "expected InvalidArgument mentioning " << text;
    } catch (const InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
  };
  expect_message(object(1, 0, {1, kNaN, 1}), "reads_by_rank[1] = nan");
  expect_message(object(1, 0, {1, -2, 1}), "reads_by_rank[1] = -2");
  expect_message(object(1, 0, {1, 1}), "reads_by_rank has 2 entries (expected one per rank: 3)");
  expect_message(object(1, 3, {1, 1, 1}), "owner = 3");
  expect_message(object(1, -1, {1, 1, 1}), "owner = -1");
  expect_message(object(1, 0, {1, 1, 1}, -1.0), "writes = -1");
  ObjectAccess access = object(1, 0, {1, 1, 1});
  access.previous_reads_by_rank = {1, 1};
  expect_message(access, "previous_reads_by_rank has 2 entries");
  access = object(1, 0, {1, 1, 1});
  access.forecast_writes = kNaN;
  expect_message(access, "forecast_writes = nan");
  access = object(1, 0, {1, 1, 1});
  access.dependents = -3;
  expect_message(access, "dependents = -3");
  access = object(1, 0, {1, 1, 1});
  access.holders = {1, 5};
  expect_message(access, "holder 5");
  access.holders = {2, 2};
  expect_message(access, "holder 2 is listed twice");
  EXPECT_NO_THROW(validate_access(object(1, 0, {1, 1, 1}), 3));
}

}  // namespace
}  // namespace penumbra::shadow
