// The spike filter (Hampel's rule, upward only) and the load predictor feeding its models through it. Every
// expected value is worked out by hand in the comment beside it.
#include "penumbra/spike_filter.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "penumbra/errors.hpp"
#include "penumbra/predict.hpp"

namespace penumbra {
namespace {

std::vector<double> run(SpikeFilter& filter, const std::vector<double>& values) {
  std::vector<double> seen;
  for (double value : values) seen.push_back(filter.filter(value));
  return seen;
}

TEST(SpikeFilter, ClipsAnIsolatedSpikeToTheBound) {
  SpikeFilter filter(4.0);
  const std::vector<double> seen = run(filter, {1.0, 1.02, 0.98, 1.01, 5.0});
  // Window {1.0, 1.02, 0.98, 1.01, 5.0}: median 1.01; deviations {0.01, 0.01, 0.03, 0, 3.99}, median 0.01,
  // x 1.4826 = 0.0148 < the floor 0.05 x 1.01 = 0.0505; bound 1.01 + 4 x 0.0505 = 1.212.
  EXPECT_DOUBLE_EQ(seen[4], 1.212);
  // The values before it passed as they were.
  EXPECT_EQ(seen[0], 1.0);
  EXPECT_EQ(seen[1], 1.02);
  EXPECT_EQ(seen[2], 0.98);
  EXPECT_EQ(seen[3], 1.01);
}

TEST(SpikeFilter, UsesTheRobustDeviationWhenItIsAboveTheFloor) {
  SpikeFilter filter(3.0);
  const std::vector<double> seen = run(filter, {1.0, 1.4, 0.6, 1.2, 9.0});
  // Median 1.2; deviations {0.2, 0.2, 0.6, 0, 7.8}, median 0.2, x 1.4826 = 0.29652 (> the floor 0.06);
  // bound 1.2 + 3 x 0.29652 = 2.08956.
  EXPECT_NEAR(seen[4], 2.08956, 1e-12);
}

TEST(SpikeFilter, ALastingRisePassesOnceItHoldsHalfTheWindow) {
  SpikeFilter filter(4.0);
  const std::vector<double> seen = run(filter, {1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 5.0});
  // The first two 5.0s are outvoted (median 1, bound 1 + 4 x 0.05 = 1.2); with three of five the median is 5.
  // The window holds what was measured, not what was passed on: had it kept the clipped 1.2s, the third 5.0
  // would meet median 1.2 and be clipped again (to 1.2 + 4 x 1.4826 x 0.2 = 2.386), and a lasting rise would
  // never get through.
  EXPECT_DOUBLE_EQ(seen[5], 1.2);
  EXPECT_DOUBLE_EQ(seen[6], 1.2);
  EXPECT_EQ(seen[7], 5.0);
  EXPECT_EQ(seen[8], 5.0);
}

TEST(SpikeFilter, ASteadyClimbAndDropsPassUnchanged) {
  SpikeFilter climb(4.0);
  const std::vector<double> rising{1.0, 1.3, 1.6, 1.9, 2.2, 2.5, 2.8};
  EXPECT_EQ(run(climb, rising), rising);
  SpikeFilter drop(4.0);
  const std::vector<double> falling{1.0, 1.0, 1.0, 1.0, 0.0, 0.2};
  EXPECT_EQ(run(drop, falling), falling);
}

TEST(SpikeFilter, PassesEverythingWhenOffOrTooShort) {
  SpikeFilter off(0.0);
  const std::vector<double> spiky{1.0, 1.0, 1.0, 1.0, 50.0};
  EXPECT_EQ(run(off, spiky), spiky);
  SpikeFilter young(4.0);
  const std::vector<double> two{1.0, 50.0};  // fewer than kSpikeMinValues
  EXPECT_EQ(run(young, two), two);
  // After a reset the filter is young again: the old window does not vote.
  young.reset();
  EXPECT_EQ(run(young, {1.0, 70.0}), (std::vector<double>{1.0, 70.0}));
}

PredictorOptions persistence(double spike_sigmas) {
  PredictorOptions options;
  options.models = {"persistence"};
  options.spike_sigmas = spike_sigmas;
  return options;
}

TEST(LoadPredictorSpikes, AOneStepSpikeDoesNotBecomeTheForecast) {
  const SeriesKey key = rank_series(0);
  LoadPredictor filtered(persistence(4.0)), raw(persistence(0.0));
  for (double executed : {1.0, 1.0, 1.0, 1.0, 6.0}) {
    filtered.observe(key, executed);
    raw.observe(key, executed);
  }
  // Persistence forecasts the last value the model saw: the spike clipped to 1 + 4 x 0.05 = 1.2, or all of it.
  EXPECT_DOUBLE_EQ(filtered.forecast(key, 1).load, 1.2);
  EXPECT_DOUBLE_EQ(filtered.last_arrivals(key), 1.2);
  EXPECT_DOUBLE_EQ(raw.forecast(key, 1).load, 6.0);
  EXPECT_DOUBLE_EQ(raw.last_arrivals(key), 6.0);
  EXPECT_THROW((void)filtered.last_arrivals(rank_series(9)), InvalidLoad);
}

TEST(LoadPredictorSpikes, QueuedWorkIsNeverClippedAway) {
  // 10 s arrive per epoch. Epoch 4: a burst of 30 arrives, 10 run, 20 stay queued. Epoch 5: 10 arrive, the
  // backlog drains (executed 30). The burst of arrivals is a spike to the models (clipped to 10 + 4 x 0.5 =
  // 12), but the 20 queued are counted whole in the next epoch's load, and the drain is not a spike at all:
  // arrivals are 10 again.
  LoadPredictor predictor(persistence(4.0));
  const SeriesKey key = rank_series(1);
  for (int t = 0; t < 4; ++t) predictor.observe(key, 10.0, 0.0);
  predictor.observe(key, 10.0, 20.0);
  EXPECT_DOUBLE_EQ(predictor.last_arrivals(key), 12.0);
  EXPECT_DOUBLE_EQ(predictor.forecast(key, 1).load, 12.0 + 20.0);
  predictor.observe(key, 30.0, 0.0);
  EXPECT_DOUBLE_EQ(predictor.last_arrivals(key), 10.0);
  EXPECT_DOUBLE_EQ(predictor.forecast(key, 1).load, 10.0);
}

TEST(LoadPredictorSpikes, BadSigmasAreAConfigErrorNamingTheKey) {
  for (double bad : {-1.0, 1001.0}) {
    PredictorOptions options;
    options.spike_sigmas = bad;
    try {
      options.validate();
      ADD_FAILURE() << bad << " accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), "predictor.spike_sigmas");
    }
  }
}

}  // namespace
}  // namespace penumbra
