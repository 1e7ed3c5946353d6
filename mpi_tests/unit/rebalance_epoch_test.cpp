// The pure parts of a rebalance epoch: assembling the snapshot from every rank's rows, the trigger, and the
// per-rank load tracker that feeds the predictor.
#include <gtest/gtest.h>

#include <limits>

#include <cmath>

#include "penumbra/errors.hpp"
#include "rebalance/epoch_rows.hpp"
#include "rebalance/load_tracker.hpp"
#include "rebalance/rebalancer.hpp"
#include "rebalance/travelling_forecasts.hpp"
#include "rebalance/trigger.hpp"

namespace penumbra::rebalance {
namespace {

const ObjectId a{10}, b{20}, c{30};

TEST(AssembleEpochInput, SortsObjectsSumsAccessesAndMakesEdgesSymmetric) {
  const RankRow ranks[] = {{.node = 0, .measured_load = 1.0}, {.node = 1, .measured_load = 3.0}};
  const ObjectRow objects[] = {{.id = c, .owner = 1, .size_bytes = 30},
                               {.id = a, .owner = 0, .size_bytes = 10},
                               {.id = b, .owner = 1, .size_bytes = 20}};
  const AccessRow accesses[] = {{.id = a, .origin = 1, .accesses = 2, .bytes = 20},
                                {.id = a, .origin = 1, .accesses = 3, .bytes = 30},
                                {.id = a, .origin = 0, .accesses = 1, .bytes = 10},
                                {.id = ObjectId{99}, .origin = 0, .accesses = 5, .bytes = 5}};  // erased: dropped
  const EdgeRow edges[] = {{.from = a, .to = b, .bytes_per_step = 64},
                           {.from = b, .to = a, .bytes_per_step = 64},
                           {.from = a, .to = c, .bytes_per_step = 8}};
  const balance::EpochInput input =
      assemble_epoch_input(ranks, objects, accesses, edges,
                           {.epoch = 3, .steps_until_next_epoch = 5, .threshold = 0.3, .plan_target = 0.1});
  ASSERT_EQ(input.objects.size(), 3u);
  EXPECT_EQ(input.objects[0].id, a);
  EXPECT_EQ(input.objects[1].id, b);
  EXPECT_EQ(input.objects[2].id, c);
  ASSERT_EQ(input.objects[0].accesses.size(), 2u);
  EXPECT_EQ(input.objects[0].accesses[0].rank, 0);
  EXPECT_EQ(input.objects[0].accesses[1].rank, 1);
  EXPECT_EQ(input.objects[0].accesses[1].accesses, 5u);
  EXPECT_EQ(input.objects[0].accesses[1].bytes, 50u);
  ASSERT_EQ(input.objects[0].edges.size(), 2u);  // a-b declared twice (summed), a-c once
  EXPECT_EQ(input.objects[0].edges[0].other, b);
  EXPECT_DOUBLE_EQ(input.objects[0].edges[0].bytes_per_step, 128.0);
  ASSERT_EQ(input.objects[2].edges.size(), 1u);  // c sees a: symmetric
  EXPECT_EQ(input.objects[2].edges[0].other, a);
  EXPECT_EQ(input.ranks[1].node, 1);
  EXPECT_EQ(input.epoch, 3);
  EXPECT_DOUBLE_EQ(input.steps_until_next_epoch, 5.0);
  EXPECT_DOUBLE_EQ(input.threshold, 0.3);
  EXPECT_DOUBLE_EQ(input.plan_target, 0.1);  // travels with the snapshot, so a replay plans to the same target
}

TEST(AssembleEpochInput, AnObjectFromTwoRanksIsAnErrorNamingIt) {
  const RankRow ranks[2] = {};
  const ObjectRow objects[] = {{.id = a, .owner = 0}, {.id = a, .owner = 1}};
  try {
    assemble_epoch_input(ranks, objects, {}, {}, {});
    FAIL();
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find(to_string(a)), std::string::npos) << error.what();
  }
}

TEST(OverThreshold, SpreadAboveTheThresholdAndWorseThanTheLastPlanLeftIt) {
  const LoadSpread even{.sum = 4.0, .max = 1.0, .ranks = 4};
  const LoadSpread hot{.sum = 4.0, .max = 2.0, .ranks = 4};  // max = 2 x mean
  EXPECT_TRUE(over_threshold(0.2, hot, 1.0));
  EXPECT_FALSE(over_threshold(0.2, even, 1.0));
  EXPECT_FALSE(over_threshold(1.5, hot, 1.0)) << "2x mean is under 1 + 1.5";
  EXPECT_FALSE(over_threshold(0.2, LoadSpread{.sum = 0, .max = 0, .ranks = 4}, 1.0)) << "nothing loaded";
  // The last epoch's plan left 1.95 (an object heavier than a rank's share): 2.0 is not worse by 0.1.
  EXPECT_FALSE(over_threshold(0.2, hot, 1.95)) << "an overload the last epoch could not fix";
  EXPECT_TRUE(over_threshold(0.2, hot, 1.85)) << "worse than the plan left it";
  EXPECT_FALSE(over_threshold(0.2, hot, std::numeric_limits<double>::infinity()))
      << "no threshold epochs (a strategy that never moves)";
}

TEST(TriggerReference, TheWatchedImbalanceTimesThePlansRelief) {
  // An epoch whose forecast saw no overload (1.1) where the watch saw 1.3, and moved nothing: the bar stays at
  // what the watch saw, so the same watched overload does not ask for the same epoch again.
  const double unmoved = trigger_reference(1.3, 1.1, 1.1);
  EXPECT_DOUBLE_EQ(unmoved, 1.3);
  const LoadSpread same{.sum = 4.0, .max = 1.3, .ranks = 4}, worse{.sum = 4.0, .max = 1.45, .ranks = 4};
  EXPECT_FALSE(over_threshold(0.2, same, unmoved)) << "the overload the last epoch already looked at";
  EXPECT_TRUE(over_threshold(0.2, worse, unmoved)) << "worse than it was then by half the threshold";
  // A plan that took the forecast's 1.5 down to 1.1 takes the watched 1.5 down as far.
  EXPECT_NEAR(trigger_reference(1.5, 1.5, 1.1), 1.1, 1e-12);
  EXPECT_NEAR(trigger_reference(1.8, 1.5, 1.2), 1.44, 1e-12) << "the same relief in the watch's terms";
  // Nothing to scale by: the plan's own projection, as before.
  EXPECT_DOUBLE_EQ(trigger_reference(1.3, 0.0, 1.1), 1.1);
  EXPECT_DOUBLE_EQ(trigger_reference(std::numeric_limits<double>::quiet_NaN(), 1.2, 1.1), 1.1) << "no step watched yet";
}

TEST(DecideTrigger, PeriodicThenAConfirmedOverloadAfterTheGap) {
  EXPECT_EQ(decide_trigger(10, 5, 5, 0), Trigger::periodic);
  EXPECT_EQ(decide_trigger(10, 5, 0, 3), Trigger::periodic) << "the period wins whatever the spread";
  EXPECT_EQ(decide_trigger(11, 5, 1, 0), Trigger::none);
  EXPECT_EQ(decide_trigger(12, 5, 2, 2), Trigger::threshold) << "two steps over, two steps after the last epoch";
  EXPECT_EQ(decide_trigger(12, 5, 2, 1), Trigger::none) << "one step over: a noisy step, not an overload yet";
  EXPECT_EQ(decide_trigger(12, 5, 1, 4), Trigger::none) << "too soon after the last epoch";
  EXPECT_EQ(decide_trigger(12, 0, 5, 2), Trigger::threshold) << "epoch_every 0: only the threshold";
  EXPECT_EQ(decide_trigger(12, 0, 5, 0), Trigger::none);
}

TEST(LoadTracker, WindowsCountOwnedCostsAndAllAccesses) {
  LoadTracker tracker(0, PredictorOptions{}, 1);
  LoadSnapshot step;
  step.rank.busy_seconds = 0.5;
  ObjectLoad mine;
  mine.id = a;
  mine.tasks = 1;
  mine.wall_seconds = 0.4;
  mine.accesses.push_back({.origin_rank = 0, .reads = 2, .writes = 1, .bytes_read = 16, .bytes_written = 8});
  ObjectLoad theirs;
  theirs.id = b;
  theirs.accesses.push_back({.origin_rank = 0, .reads = 4, .writes = 0, .bytes_read = 64, .bytes_written = 0});
  step.objects = {mine, theirs};
  const auto owns = [](ObjectId id) { return id == a; };
  tracker.observe_step(step, owns);
  tracker.observe_step(step, owns);
  EXPECT_EQ(tracker.window_steps(), 2);
  EXPECT_DOUBLE_EQ(tracker.measured_load_per_step(), 0.5);
  EXPECT_DOUBLE_EQ(tracker.measured_cost_per_step(a), 0.4);
  EXPECT_DOUBLE_EQ(tracker.measured_cost_per_step(b), 0.0);
  const std::vector<AccessRow> rows = tracker.access_rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, a);
  EXPECT_EQ(rows[0].accesses, 6u);
  EXPECT_EQ(rows[0].bytes, 48u);
  EXPECT_EQ(rows[1].id, b);
  EXPECT_EQ(rows[1].accesses, 8u);
  EXPECT_GT(tracker.forecast(a).per_step, 0.0);
  EXPECT_DOUBLE_EQ(tracker.forecast(b).per_step, 0.0) << "not owned: not a load series";
  tracker.reset_window();
  EXPECT_EQ(tracker.window_steps(), 0);
  EXPECT_TRUE(tracker.access_rows().empty());
}

TEST(LoadTracker, ArrivedObjectsStartFromTheirPreviousCost) {
  LoadTracker tracker(1, PredictorOptions{}, 1);
  tracker.object_arrived(c, 0.25);
  EXPECT_NEAR(tracker.forecast(c).per_step, 0.25, 1e-12);
  tracker.object_left(c);
  EXPECT_DOUBLE_EQ(tracker.forecast(c).per_step, 0.0);
  EXPECT_THROW(LoadTracker(0, PredictorOptions{}, 0), InvalidArgument);
}

TEST(LoadTracker, KeepsTheRecentCostsOfOwnedObjectsOnly) {
  LoadTracker tracker(0, PredictorOptions{}, 1);
  for (std::size_t t = 0; t < kRecentSteps + 5; ++t) {
    LoadSnapshot step;
    ObjectLoad mine;
    mine.id = a;
    mine.tasks = 1;
    mine.wall_seconds = static_cast<double>(t);
    ObjectLoad theirs = mine;
    theirs.id = b;
    step.objects = {mine, theirs};
    tracker.observe_step(step, [](ObjectId id) { return id == a; });
  }
  const std::vector<double> recent = tracker.recent_costs(a);
  ASSERT_EQ(recent.size(), kRecentSteps) << "capped at what a snapshot row carries";
  EXPECT_DOUBLE_EQ(recent.front(), 5.0);
  EXPECT_DOUBLE_EQ(recent.back(), static_cast<double>(kRecentSteps + 4));
  EXPECT_TRUE(tracker.recent_costs(b).empty()) << "not owned";
  tracker.object_left(a);
  EXPECT_TRUE(tracker.recent_costs(a).empty());
}

TEST(LoadTracker, AnArrivedObjectKeepsItsTrend) {
  // A cost rising by 0.1 per step on its previous owner: with the history replayed, the new owner forecasts the
  // rise; seeded with the last cost alone it could only say 2.0.
  std::vector<double> history;
  for (int t = 0; t <= 10; ++t) history.push_back(1.0 + 0.1 * t);
  LoadTracker tracker(1, PredictorOptions{}, 4);
  tracker.object_arrived(c, history, 2.0);
  EXPECT_NEAR(tracker.forecast(c).per_step, 2.25, 0.02) << "mean of 2.1, 2.2, 2.3, 2.4";
  EXPECT_EQ(tracker.recent_costs(c), history);
  LoadTracker seeded(1, PredictorOptions{}, 4);
  seeded.object_arrived(c, {}, 2.0);
  EXPECT_NEAR(seeded.forecast(c).per_step, 2.0, 1e-12);
}

TEST(TravellingForecasts, ReplaceFollowersCostsAndShiftTheirOwnersLoad) {
  // Three objects on a chain a - b - c; the load moves from a towards c one object per 2 steps, c is on rank 1.
  // Rows carry 24 steps; the travelling forecast of c must see the bump coming from b.
  const auto load = [](int object, int t) {
    const double d = object * 4 - (t / 2.0 - 6.0);  // a, b, c at 0, 4, 8; the bump passes them at steps 12, 20, 28
    return 1.0 + 4.0 * std::exp(-d * d / 8.0);
  };
  const RankRow ranks[] = {{.predicted_load = 100.0}, {.predicted_load = 50.0}};
  std::vector<ObjectRow> objects;
  for (int k = 0; k < 3; ++k) {
    ObjectRow row{.id = ObjectId{static_cast<std::uint64_t>(10 * (k + 1))},
                  .owner = k == 2 ? 1 : 0,
                  .predicted_cost = 10.0 * load(k, 23)};  // persistence, per epoch of 10 steps
    row.recent_steps = 24;
    for (int t = 0; t < 24; ++t) row.recent[t] = load(k, t);
    objects.push_back(row);
  }
  const EdgeRow edges[] = {{.from = a, .to = b, .bytes_per_step = 1}, {.from = b, .to = c, .bytes_per_step = 1}};
  balance::EpochInput input = assemble_epoch_input(ranks, objects, {}, edges, {.steps_until_next_epoch = 10});
  const std::vector<std::vector<double>> recent = recent_costs_of(input, objects);
  ASSERT_EQ(recent[2].size(), 24u);
  EXPECT_DOUBLE_EQ(recent[2][5], load(2, 5));
  const double before = input.objects[2].predicted_cost;
  // Each rank forecasts only what it owns: c is rank 1's.
  const std::vector<FollowerRow> of_rank1 = travelling_forecasts_of(input, recent, 10.0, 4, 1);
  ASSERT_EQ(of_rank1.size(), 1u);
  EXPECT_EQ(of_rank1[0].id, c);
  for (const FollowerRow& row : travelling_forecasts_of(input, recent, 10.0, 4, 0)) EXPECT_NE(row.id, c);
  // Horizon 4: c repeats b 8 steps later, so the next 4 steps of c are steps 16..19 of b, all observed.
  const std::size_t followed = apply_travelling_forecasts(input, recent, 10.0, 4);
  EXPECT_GE(followed, 1u);
  double truth = 0.0;
  for (int h = 1; h <= 4; ++h) truth += 10.0 * load(2, 23 + h) / 4.0;
  EXPECT_GT(truth, 1.3 * before) << "the bump reaches c in the next 4 steps: persistence was far off";
  EXPECT_NEAR(input.objects[2].predicted_cost, truth, 1e-9 * truth);
  EXPECT_NEAR(input.ranks[1].predicted_load, 50.0 + input.objects[2].predicted_cost - before, 1e-9);
}

TEST(TravellingForecasts, OneRowPerOwnedObjectMarksTheObjectsWithoutALeader) {
  // The runtime gathers these rows with counts known from the snapshot, so each rank must send exactly one per
  // object it owns, in its own order; an object without a leader must keep its own forecast.
  const ObjectId owned[] = {c, a, b};  // a < b < c: the input sorts them, the rank's own order does not
  const FollowerRow followers[] = {{.id = b, .predicted_cost = 7.0}, {.id = c, .predicted_cost = 3.0}};
  const std::vector<FollowerRow> rows = one_row_per_object(owned, followers);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, c);
  EXPECT_EQ(rows[0].predicted_cost, 3.0);
  EXPECT_EQ(rows[1].id, a);
  EXPECT_LT(rows[1].predicted_cost, 0.0);
  EXPECT_EQ(rows[2].id, b);
  EXPECT_EQ(rows[2].predicted_cost, 7.0);

  const RankRow ranks[] = {{.predicted_load = 40.0}};
  std::vector<ObjectRow> objects;
  for (ObjectId id : owned) objects.push_back({.id = id, .owner = 0, .predicted_cost = 5.0});
  balance::EpochInput input = assemble_epoch_input(ranks, objects, {}, {}, {.steps_until_next_epoch = 10});
  EXPECT_EQ(apply_follower_rows(input, rows), 2u);
  EXPECT_EQ(input.objects[0].predicted_cost, 5.0) << "a has no leader: its own forecast stays";
  EXPECT_EQ(input.objects[1].predicted_cost, 7.0);
  EXPECT_EQ(input.objects[2].predicted_cost, 3.0);
  EXPECT_DOUBLE_EQ(input.ranks[0].predicted_load, 40.0 + (7.0 - 5.0) + (3.0 - 5.0));
}

TEST(TravellingForecasts, OnlyStrategiesThatReadPredictedCostsAskForThem) {
  // The runtime computes the travelling-load forecast only for these: a reactive strategy's epoch must not pay.
  EXPECT_TRUE(balance::make_strategy("predictive")->plans_on_predicted_costs());
  for (const char* name : {"static", "greedy", "refine", "oracle"})
    EXPECT_FALSE(balance::make_strategy(name)->plans_on_predicted_costs()) << name;
}

TEST(PlanEffects, PredictedLoadsAfterMovesAndImbalance) {
  balance::EpochInput input;
  input.ranks.resize(2);
  input.objects.resize(2);
  input.objects[0].id = a;
  input.objects[0].predicted_cost = 3.0;
  input.objects[1].id = b;
  input.objects[1].predicted_cost = 1.0;
  balance::Plan plan;
  plan.moves.push_back({.id = b, .from = 0, .to = 1});
  const std::vector<double> loads = predicted_loads_after(input, plan);
  EXPECT_DOUBLE_EQ(loads[0], 3.0);
  EXPECT_DOUBLE_EQ(loads[1], 1.0);
  EXPECT_DOUBLE_EQ(imbalance_of(loads), 1.5);
  EXPECT_DOUBLE_EQ(imbalance_of(std::vector<double>{0.0, 0.0}), 1.0);
}

}  // namespace
}  // namespace penumbra::rebalance
