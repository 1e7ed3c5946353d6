// The ensemble's choice and uncertainty, and the load predictor's handling of queued work and snapshots.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "penumbra/errors.hpp"
#include "penumbra/forecast_model.hpp"
#include "penumbra/predict.hpp"

namespace penumbra {
namespace {

PredictorOptions only(std::vector<std::string> models, std::int64_t window = 16) {
  PredictorOptions options;
  options.models = std::move(models);
  options.ensemble_window = window;
  return options;
}

// A model that diverges: its forecast grows 10x per step ahead, as an unstable AR fit would.
class Diverging final : public ForecastModel {
 public:
  std::string_view name() const noexcept override { return "diverging"; }
  std::size_t observations() const noexcept override { return count_; }
  void reset() override { count_ = 0; }

 private:
  void observe(double value) override {
    last_ = value;
    ++count_;
  }
  double predict(int horizon) const override { return last_ * std::pow(10.0, horizon); }
  double last_ = 0.0;
  std::size_t count_ = 0;
};

TEST(Ensemble, ForecastsStayWithinTheCeilingOfTheSeriesPeak) {
  std::vector<std::unique_ptr<ForecastModel>> models;
  models.push_back(std::make_unique<Diverging>());
  Ensemble ensemble(std::move(models), 4);
  for (double value : {1.0, 3.0, 2.0}) ensemble.update(value);  // peak 3
  EXPECT_DOUBLE_EQ(ensemble.forecast(1), Ensemble::kForecastCeiling * 3.0) << "the model said 20";
  EXPECT_DOUBLE_EQ(ensemble.forecast(5), Ensemble::kForecastCeiling * 3.0) << "the model said 200000";
  ensemble.update(0.05);  // far below the peak: the model's 0.5 is within the ceiling and stands
  EXPECT_DOUBLE_EQ(ensemble.forecast(1), 0.5);
}

TEST(Ensemble, PicksTheTrendModelOnALine) {
  Ensemble ensemble;
  for (int t = 0; t < 40; ++t) ensemble.update(3.0 + 2.0 * t);
  EXPECT_EQ(ensemble.chosen_name(), "holt");
  EXPECT_NEAR(ensemble.forecast(1), 3.0 + 2.0 * 40, 1e-9);
  EXPECT_NEAR(ensemble.forecast(5), 3.0 + 2.0 * 44, 1e-9);
}

TEST(Ensemble, PicksTheSeasonalModelOnASine) {
  Ensemble ensemble;
  for (int t = 0; t < 72; ++t) ensemble.update(10.0 + 3.0 * std::sin(2.0 * std::numbers::pi * t / 12));
  EXPECT_EQ(ensemble.chosen_name(), "seasonal");
}

TEST(Ensemble, PicksTheSeasonalModelOnANoisyPulseTrain) {
  // A realistic periodic load: a burst every 8 epochs (I/O, a solver phase) on a noisy base. No model but the
  // seasonal one knows where the next burst falls.
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0.0, 0.05);
  Ensemble ensemble;
  for (int t = 0; t < 96; ++t) ensemble.update((t % 8 == 5 ? 5.0 : 1.0) * (1.0 + noise(rng)));
  EXPECT_EQ(ensemble.chosen_name(), "seasonal");
}

TEST(Ensemble, TiesGoToTheFirstListedModel) {
  // On a constant every model is exact: persistence, listed first, stays chosen.
  Ensemble ensemble;
  for (int t = 0; t < 30; ++t) ensemble.update(7.0);
  EXPECT_EQ(ensemble.chosen(), 0U);
  EXPECT_EQ(ensemble.chosen_name(), "persistence");
  Ensemble reversed(only({"ewma", "persistence"}));
  for (int t = 0; t < 30; ++t) reversed.update(7.0);
  EXPECT_EQ(reversed.chosen_name(), "ewma");
}

TEST(Ensemble, DoesNotChoosePersistenceOnWhiteNoise) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> noise(100.0, 10.0);
  Ensemble ensemble;
  for (int t = 0; t < 200; ++t) ensemble.update(noise(rng));
  EXPECT_NE(ensemble.chosen_name(), "persistence");
  // ... because its recent error is larger than the chosen one's.
  EXPECT_GT(ensemble.recent_mean_abs_error(0), ensemble.recent_mean_abs_error(ensemble.chosen()));
}

TEST(Ensemble, UncertaintyIsTheRmseOfRecentErrorsGrowingWithTheHorizon) {
  // Persistence alone on 1, 2, 4, 7: its one-step errors are 1, 2, 3.
  Ensemble ensemble(only({"persistence"}));
  for (double v : {1.0, 2.0, 4.0, 7.0}) ensemble.update(v);
  const double rmse = std::sqrt((1.0 + 4.0 + 9.0) / 3.0);
  EXPECT_NEAR(ensemble.recent_rmse(0), rmse, 1e-12);
  EXPECT_NEAR(ensemble.recent_mean_abs_error(0), 2.0, 1e-12);
  for (int h = 1; h <= 6; ++h) EXPECT_NEAR(ensemble.uncertainty(h), rmse * std::sqrt(h), 1e-12);
  for (int h = 1; h < 6; ++h) EXPECT_LT(ensemble.uncertainty(h), ensemble.uncertainty(h + 1));
}

TEST(Ensemble, ForgetsErrorsOlderThanItsWindow) {
  Ensemble ensemble(only({"persistence"}, 3));
  for (double v : {0.0, 10.0, 11.0, 12.0, 13.0}) ensemble.update(v);  // errors 10, 1, 1, 1: the 10 is gone
  EXPECT_EQ(ensemble.recent_errors(), 3U);
  EXPECT_NEAR(ensemble.recent_rmse(0), 1.0, 1e-12);
}

TEST(Ensemble, UncertaintyBeforeAnyErrorIsTheLoadItself) {
  Ensemble ensemble;
  ensemble.update(4.0);
  EXPECT_EQ(ensemble.recent_errors(), 0U);
  EXPECT_NEAR(ensemble.uncertainty(4), 8.0, 1e-12);
}

TEST(Ensemble, ForecastsAreClampedAtZero) {
  Ensemble ensemble;
  for (int t = 0; t < 10; ++t) ensemble.update(100.0 - 10.0 * t);  // 100 .. 10, falling by 10
  EXPECT_EQ(ensemble.chosen_name(), "holt");
  EXPECT_NEAR(ensemble.forecast(1), 0.0, 1e-9);
  EXPECT_EQ(ensemble.forecast(5), 0.0);  // the line would say -40
  EXPECT_LT(ensemble.model(ensemble.chosen()).forecast(5), 0.0);
}

TEST(Ensemble, RejectsBadInput) {
  Ensemble ensemble;
  EXPECT_THROW((void)ensemble.forecast(1), InvalidLoad);  // empty history
  EXPECT_THROW(ensemble.update(std::numeric_limits<double>::quiet_NaN()), InvalidLoad);
  EXPECT_THROW(ensemble.update(-0.5), InvalidLoad);
  EXPECT_EQ(ensemble.observations(), 0U);
  ensemble.update(1.0);
  EXPECT_THROW((void)ensemble.forecast(0), InvalidArgument);
  EXPECT_THROW((void)ensemble.model(99), InvalidArgument);
  EXPECT_THROW(Ensemble(std::vector<std::unique_ptr<ForecastModel>>{}, 4), InvalidArgument);
}

TEST(LoadPredictor, QueuedWorkIsAddedOnceToTheNextEpoch) {
  // Every epoch 10 s of work arrives; from the start 5 s of it stays queued (a steady backlog). Executed:
  // 5 in epoch 0 (10 arrived, 5 left queued), then 10 per epoch. Arrivals are 10 every epoch.
  LoadPredictor predictor(only({"persistence"}));
  const SeriesKey key = rank_series(2);
  predictor.observe(key, 5.0, 5.0);
  for (int t = 1; t < 6; ++t) predictor.observe(key, 10.0, 5.0);
  const Forecast next = predictor.forecast(key, 1);
  EXPECT_DOUBLE_EQ(next.arrivals, 10.0);
  EXPECT_DOUBLE_EQ(next.queued, 5.0);
  EXPECT_DOUBLE_EQ(next.load, 15.0);  // the backlog plus what arrives
  const Forecast later = predictor.forecast(key, 3);
  EXPECT_DOUBLE_EQ(later.load, 10.0);  // the queue runs in the next epoch only
  EXPECT_DOUBLE_EQ(later.cumulative, 5.0 + 3 * 10.0);
  EXPECT_EQ(later.model, "persistence");
  EXPECT_EQ(later.observations, 6U);
}

TEST(LoadPredictor, ADrainedBacklogIsNotCountedTwice) {
  // Epoch 0: 10 arrive and run. Epoch 1: a burst of 30 arrives, 10 run, 20 stay queued. Epoch 2: 10 arrive,
  // the 20 queued and the 10 new run (executed 30), the queue is empty. Arrivals: 10, 30, 10.
  LoadPredictor predictor(only({"persistence"}));
  const SeriesKey key = rank_series(0);
  predictor.observe(key, 10.0, 0.0);
  predictor.observe(key, 10.0, 20.0);
  predictor.observe(key, 30.0, 0.0);
  const Forecast next = predictor.forecast(key, 1);
  // A model of executed load would say 30: the drained backlog counted again as if it recurred.
  EXPECT_DOUBLE_EQ(next.arrivals, 10.0);
  EXPECT_DOUBLE_EQ(next.load, 10.0);
}

TEST(LoadPredictor, AGrowingQueueIsCountedWhole) {
  // 10 arrive per epoch; the rank runs 6 and the queue grows by 4 per epoch: 4, 8, 12, 16.
  LoadPredictor predictor(only({"persistence"}));
  const SeriesKey key = rank_series(0);
  for (int t = 1; t <= 4; ++t) predictor.observe(key, 6.0, 4.0 * t);
  const Forecast next = predictor.forecast(key, 1);
  EXPECT_DOUBLE_EQ(next.arrivals, 10.0);     // not the 6 executed
  EXPECT_DOUBLE_EQ(next.load, 10.0 + 16.0);  // new work plus the whole backlog, each once
}

TEST(LoadPredictor, LearnsFromMonitorSnapshots) {
  LoadPredictor predictor(only({"persistence"}));
  const ObjectId a{1}, b{2};
  for (int epoch = 0; epoch < 3; ++epoch) {
    LoadSnapshot snapshot;
    snapshot.rank.rank = 1;
    snapshot.rank.busy_seconds = 2.0 + epoch;
    ObjectLoad load_a;
    load_a.id = a;
    load_a.wall_seconds = 1.0 + epoch;
    snapshot.objects.push_back(load_a);
    if (epoch < 2) {  // b is idle in the last epoch: missing from the snapshot
      ObjectLoad load_b;
      load_b.id = b;
      load_b.wall_seconds = 0.5;
      load_b.queued_cost = epoch == 0 ? 0.25 : 0.0;
      snapshot.objects.push_back(load_b);
    }
    predictor.observe(snapshot);
  }
  EXPECT_EQ(predictor.series_count(), 3U);
  EXPECT_DOUBLE_EQ(predictor.forecast(rank_series(1), 1).load, 4.0);
  EXPECT_DOUBLE_EQ(predictor.forecast(object_series(a), 1).load, 3.0);
  EXPECT_DOUBLE_EQ(predictor.forecast(object_series(b), 1).load, 0.0);
  EXPECT_EQ(predictor.ensemble(object_series(b)).observations(), 3U);
  EXPECT_EQ(predictor.forecast_all(SeriesKind::object, 1).size(), 2U);
  predictor.forget(object_series(b));
  EXPECT_FALSE(predictor.contains(object_series(b)));
}

TEST(LoadPredictor, UncertaintyOfTheCumulativeForecastBoundsTheSum) {
  std::mt19937_64 rng(8);
  std::normal_distribution<double> noise(50.0, 5.0);
  LoadPredictor predictor;
  const SeriesKey key = rank_series(0);
  for (int t = 0; t < 60; ++t) predictor.observe(key, noise(rng));
  const Forecast f = predictor.forecast(key, 4);
  double sum = 0.0;
  for (int h = 1; h <= 4; ++h) sum += predictor.forecast(key, h).uncertainty;
  EXPECT_NEAR(f.cumulative_uncertainty, sum, 1e-9);
  EXPECT_GT(f.uncertainty, predictor.forecast(key, 1).uncertainty);
}

TEST(LoadPredictor, RejectsBadInputNamingTheSeries) {
  LoadPredictor predictor;
  try {
    predictor.observe(rank_series(3), std::numeric_limits<double>::infinity());
    FAIL();
  } catch (const InvalidLoad& error) {
    EXPECT_NE(std::string(error.what()).find("rank 3"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("inf"), std::string::npos) << error.what();
  }
  EXPECT_THROW(predictor.observe(rank_series(3), 1.0, -2.0), InvalidLoad);
  EXPECT_THROW((void)predictor.forecast(rank_series(3), 1), InvalidLoad);  // never observed
  predictor.observe(rank_series(3), 1.0);
  EXPECT_THROW((void)predictor.forecast(rank_series(3), 0), InvalidArgument);
  EXPECT_THROW(rank_series(-1), InvalidArgument);

  // A bad object in a snapshot leaves every series as it was.
  LoadSnapshot snapshot;
  snapshot.rank.rank = 3;
  snapshot.rank.busy_seconds = 1.0;
  ObjectLoad bad;
  bad.id = ObjectId{5};
  bad.wall_seconds = -1.0;
  snapshot.objects.push_back(bad);
  EXPECT_THROW(predictor.observe(snapshot), InvalidLoad);
  EXPECT_EQ(predictor.ensemble(rank_series(3)).observations(), 1U);
  EXPECT_FALSE(predictor.contains(object_series(ObjectId{5})));

  PredictorOptions options;
  options.ensemble_window = 0;
  EXPECT_THROW(LoadPredictor{options}, ConfigError);
}

}  // namespace
}  // namespace penumbra
