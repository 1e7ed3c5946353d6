// The forecasting models on series whose right answer is known independently of the code.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "penumbra/errors.hpp"
#include "penumbra/forecast_model.hpp"
#include "penumbra/predict.hpp"
#include "predict/least_squares.hpp"
#include "predict/models.hpp"
#include "predict/period.hpp"

namespace penumbra {
namespace {

std::vector<double> line(double intercept, double slope, int n) {
  std::vector<double> values;
  for (int t = 0; t < n; ++t) values.push_back(intercept + slope * t);
  return values;
}

std::vector<double> sine(double mean, double amplitude, int period, int n, double phase = 0.0) {
  std::vector<double> values;
  for (int t = 0; t < n; ++t)
    values.push_back(mean + amplitude * std::sin(2.0 * std::numbers::pi * t / period + phase));
  return values;
}

TEST(Persistence, ForecastsTheLastValue) {
  auto model = make_model("persistence");
  const std::vector<double> history{3.0, 5.0, 4.0};
  model->fit(history);
  for (int h = 1; h <= 3; ++h) EXPECT_EQ(model->forecast(h), 4.0);
}

TEST(Ewma, FixedAlphaFollowsTheRecurrence) {
  PredictorOptions options;
  options.fit_smoothing = false;
  options.ewma_alpha = 0.25;
  auto model = make_model("ewma", options);
  const std::vector<double> history{8.0, 4.0, 6.0, 10.0};
  model->fit(history);
  double s = 8.0;
  for (double y : {4.0, 6.0, 10.0}) s = 0.25 * y + 0.75 * s;
  EXPECT_NEAR(model->forecast(1), s, 1e-12);
  EXPECT_NEAR(model->forecast(7), s, 1e-12);  // flat
}

TEST(Ewma, FitsFastSmoothingToARandomWalkAndSlowToNoise) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  PredictorOptions options;
  predict::EwmaModel walk = *dynamic_cast<predict::EwmaModel*>(make_model("ewma", options).get());
  predict::EwmaModel noise = walk;
  double level = 100.0;
  for (int t = 0; t < 400; ++t) {
    level += normal(rng);
    walk.update(level);
    noise.update(100.0 + normal(rng));
  }
  EXPECT_GE(walk.alpha(), 0.7);   // a random walk is best forecast by (nearly) its last value
  EXPECT_LE(noise.alpha(), 0.1);  // white noise by a long average
}

TEST(Holt, ForecastsALineExactly) {
  for (bool fit : {false, true}) {
    PredictorOptions options;
    options.fit_smoothing = fit;
    auto model = make_model("holt", options);
    model->fit(line(3.0, 2.0, 20));  // y = 3 + 2t, t = 0..19
    for (int h = 1; h <= 10; ++h) EXPECT_NEAR(model->forecast(h), 3.0 + 2.0 * (19 + h), 1e-9) << "h = " << h;
  }
}

TEST(Holt, DampedTrendLevelsOff) {
  PredictorOptions options;
  options.holt_damping = 0.5;
  auto model = make_model("holt", options);
  model->fit(line(3.0, 2.0, 20));
  // level 41, trend 2: 41 + 2 (0.5 + 0.25 + ...) < 41 + 2 x 1 for every horizon.
  for (int h = 1; h <= 30; ++h) {
    EXPECT_GT(model->forecast(h), 41.0);
    EXPECT_LT(model->forecast(h), 43.0);
  }
}

TEST(Seasonal, ForecastsASineAfterTwoPeriodsWherePersistenceCannot) {
  const std::vector<double> y = sine(10.0, 3.0, 12, 48);
  auto seasonal = make_model("seasonal");
  auto persistence = make_model("persistence");
  double seasonal_error = 0.0, persistence_error = 0.0;
  for (int t = 0; t < 48; ++t) {
    if (t >= 24) {  // two periods seen
      seasonal_error += std::abs(seasonal->forecast(1) - y[t]);
      persistence_error += std::abs(persistence->forecast(1) - y[t]);
    }
    seasonal->update(y[t]);
    persistence->update(y[t]);
  }
  EXPECT_LT(seasonal_error / 24, 1e-9);
  EXPECT_GT(persistence_error / 24, 0.5);  // |y_t - y_{t-1}| averages about 2 x 3 x sin(pi / 12) x 2 / pi ~ 0.99
  EXPECT_EQ(dynamic_cast<const predict::SeasonalModel&>(*seasonal).period(), 12U);
  // And h steps ahead: the sine continued.
  for (int h = 1; h <= 24; ++h)
    EXPECT_NEAR(seasonal->forecast(h), 10.0 + 3.0 * std::sin(2.0 * std::numbers::pi * (47 + h) / 12), 1e-9);
}

TEST(PeriodDetection, FindsThePeriodUnderTrendAndNoise) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 0.3);
  std::vector<double> y = sine(20.0, 2.0, 12, 96, 0.7);
  for (int t = 0; t < 96; ++t) y[t] += 0.1 * t + normal(rng);
  EXPECT_EQ(predict::detect_period(y, 32, 0.5), 12U);
}

TEST(PeriodDetection, FindsNoPeriodInALineABumpOrNoise) {
  EXPECT_EQ(predict::detect_period(line(1.0, 0.5, 96), 32, 0.5), 0U);
  std::vector<double> bump;
  for (int t = 0; t < 96; ++t) bump.push_back(1.0 + 4.0 * std::exp(-(t - 50.0) * (t - 50.0) / 200.0));
  EXPECT_EQ(predict::detect_period(bump, 32, 0.5), 0U);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(10.0, 1.0);
  std::vector<double> noise;
  for (int t = 0; t < 96; ++t) noise.push_back(normal(rng));
  EXPECT_EQ(predict::detect_period(noise, 32, 0.5), 0U);
  EXPECT_EQ(predict::detect_period(std::vector<double>(96, 4.0), 32, 0.5), 0U);  // constant
}

TEST(PeriodDetection, ReportsThePeriodNotItsMultiple) {
  // A pulse every 8 epochs correlates at lags 8, 16 and 24 alike.
  std::vector<double> pulses;
  for (int t = 0; t < 96; ++t) pulses.push_back(t % 8 == 3 ? 10.0 : 1.0);
  EXPECT_EQ(predict::detect_period(pulses, 32, 0.5), 8U);
}

TEST(PeriodDetection, ReportsTheDominantCycleWhenItsDoubleCorrelatesBetter) {
  // Cycles of 12 alternately 10% taller and shorter: lag 24 matches exactly (r = 1), lag 12 almost
  // (r ~ 0.98). The load repeats every 12 epochs to within 10%: that is the useful period.
  std::vector<double> y;
  for (int t = 0; t < 96; ++t)
    y.push_back(10.0 + 3.0 * std::sin(2.0 * std::numbers::pi * t / 12) * ((t / 12) % 2 == 0 ? 1.1 : 0.9));
  EXPECT_EQ(predict::detect_period(y, 32, 0.5), 12U);
}

TEST(LeastSquares, SolvesAnOverdeterminedConsistentSystem) {
  // A (4 x 2) times x = (2, -3) gives b exactly; the solver must return x.
  const std::vector<double> a{1, 0, 1, 1, 1, 2, 1, 3};
  std::vector<double> b;
  for (int i = 0; i < 4; ++i) b.push_back(a[2 * i] * 2.0 + a[2 * i + 1] * -3.0);
  const auto x = predict::solve_least_squares(a, b, 4, 2);
  EXPECT_NEAR(x[0], 2.0, 1e-12);
  EXPECT_NEAR(x[1], -3.0, 1e-12);
}

TEST(LeastSquares, MinimisesTheResidualOfAnInconsistentSystem) {
  // Fit a constant to (1, 2, 6): the least-squares constant is the mean, 3.
  const auto x = predict::solve_least_squares({1, 1, 1}, {1, 2, 6}, 3, 1);
  EXPECT_NEAR(x[0], 3.0, 1e-12);
}

TEST(LeastSquares, ZeroesADependentColumnAndStillFitsTheRest) {
  // Column 2 = 2 x column 1: the fit must use column 1 alone (coefficient 3 reproduces b).
  const std::vector<double> a{1, 2, 2, 4, 3, 6};
  const auto x = predict::solve_least_squares(a, {3, 6, 9}, 3, 2);
  EXPECT_NEAR(x[0], 3.0, 1e-9);
  EXPECT_EQ(x[1], 0.0);
  EXPECT_THROW(predict::solve_least_squares({1, 2}, {1}, 1, 2), InvalidArgument);
}

TEST(Ar, RecoversTheCoefficientsOfAnAr2Process) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 1.0);
  PredictorOptions options;
  options.ar_order = 2;
  options.history_window = 5000;
  predict::ArModel model(2, options.ar_ridge, 5000);
  double x1 = 0.0, x2 = 0.0;
  for (int t = 0; t < 5000; ++t) {
    const double x = 0.6 * x1 - 0.3 * x2 + noise(rng);
    model.update(20.0 + x);  // loads are non-negative: an offset the model's mean absorbs
    x2 = x1;
    x1 = x;
  }
  ASSERT_TRUE(model.fitted());
  ASSERT_EQ(model.coefficients().size(), 2U);
  EXPECT_NEAR(model.coefficients()[0], 0.6, 0.05);
  EXPECT_NEAR(model.coefficients()[1], -0.3, 0.05);
  EXPECT_NEAR(model.intercept(), 0.0, 0.05);
}

TEST(Ar, MultiStepForecastIteratesTheFittedRecursion) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> noise(0.0, 1.0);
  predict::ArModel model(2, 1e-3, 200);
  std::vector<double> y;
  double x1 = 0.0, x2 = 0.0;
  for (int t = 0; t < 200; ++t) {
    const double x = 0.5 * x1 + 0.2 * x2 + noise(rng);
    y.push_back(30.0 + x);
    model.update(y.back());
    x2 = x1;
    x1 = x;
  }
  double mean = 0.0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  const auto& a = model.coefficients();
  double c1 = y[199] - mean, c2 = y[198] - mean, next = 0.0;
  for (int h = 1; h <= 5; ++h) {
    next = model.intercept() + a[0] * c1 + a[1] * c2;
    c2 = c1;
    c1 = next;
    EXPECT_NEAR(model.forecast(h), mean + next, 1e-9) << "h = " << h;
  }
}

TEST(Models, AStepIsNotOverExtrapolated) {
  // Ten epochs at 10, then a step to 20: forecasts stay within the step's range [10, 20].
  std::vector<double> step(10, 10.0);
  step.insert(step.end(), 10, 20.0);
  for (const char* name : {"persistence", "ewma", "seasonal"}) {
    auto model = make_model(name);
    for (std::size_t t = 0; t < step.size(); ++t) {
      model->update(step[t]);
      for (int h = 1; h <= 8; ++h) {
        EXPECT_GE(model->forecast(h), 10.0 - 1e-9) << name << " t = " << t << " h = " << h;
        EXPECT_LE(model->forecast(h), 20.0 + 1e-9) << name << " t = " << t << " h = " << h;
      }
    }
  }
  Ensemble ensemble;
  for (std::size_t t = 0; t < step.size(); ++t) {
    ensemble.update(step[t]);
    for (int h = 1; h <= 8; ++h) {
      EXPECT_GE(ensemble.forecast(h), 10.0 - 1e-9) << "t = " << t << " h = " << h;
      EXPECT_LE(ensemble.forecast(h), 20.0 + 1e-9) << "t = " << t << " h = " << h;
    }
  }
}

TEST(Models, RejectBadValuesNamingThem) {
  auto model = make_model("holt");
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -1.5}) {
    try {
      model->update(bad);
      FAIL() << "accepted " << bad;
    } catch (const InvalidLoad& error) {
      const std::string text = error.what();
      EXPECT_TRUE(text.find("nan") != std::string::npos || text.find("inf") != std::string::npos ||
                  text.find("-1.5") != std::string::npos)
          << text;
    }
  }
  EXPECT_THROW(model->forecast(1), InvalidLoad);  // nothing observed (the bad values were not)
  EXPECT_THROW(model->fit(std::vector<double>{}), InvalidLoad);
  model->update(1.0);
  EXPECT_THROW(model->forecast(0), InvalidArgument);
  try {
    model->fit(std::vector<double>{1.0, 2.0, -3.0});
    FAIL();
  } catch (const InvalidLoad& error) {
    EXPECT_NE(std::string(error.what()).find("history[2]"), std::string::npos) << error.what();
  }
}

class Doubling final : public ForecastModel {
 public:
  std::string_view name() const noexcept override { return "test-doubling"; }
  std::size_t observations() const noexcept override { return n_; }
  void reset() override { n_ = 0; }

 private:
  void observe(double value) override {
    last_ = value;
    ++n_;
  }
  double predict(int) const override { return 2.0 * last_; }
  double last_ = 0.0;
  std::size_t n_ = 0;
};

TEST(ModelRegistry, ChoosesModelsByNameAndTakesNewOnes) {
  const auto names = registered_models();
  ASSERT_GE(names.size(), 5U);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 5),
            (std::vector<std::string>{"persistence", "ewma", "holt", "seasonal", "ar"}));
  for (const std::string& name : names) EXPECT_EQ(make_model(name)->name(), name);

  if (!is_registered_model("test-doubling"))
    register_model("test-doubling", [](const PredictorOptions&) { return std::make_unique<Doubling>(); });
  EXPECT_THROW(register_model("test-doubling", [](const PredictorOptions&) { return std::make_unique<Doubling>(); }),
               InvalidArgument);
  PredictorOptions options;
  options.models = {"persistence", "test-doubling"};
  Ensemble ensemble(options);
  ensemble.update(3.0);
  EXPECT_EQ(ensemble.model_forecast(1, 1), 6.0);

  try {
    (void)make_model("arima");
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "predictor.models");
    EXPECT_EQ(error.value(), "arima");
    EXPECT_NE(error.allowed().find("seasonal"), std::string::npos);
  }
}

TEST(PredictorOptions, ValidationNamesTheKey) {
  auto expect_key = [](const PredictorOptions& options, const std::string& key) {
    try {
      options.validate();
      ADD_FAILURE() << key << " accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), key);
    }
  };
  EXPECT_NO_THROW(PredictorOptions{}.validate());
  PredictorOptions o;
  o.ensemble_window = 0;
  expect_key(o, "predictor.ensemble_window");
  o = {};
  o.ewma_alpha = 0.0;
  expect_key(o, "predictor.ewma_alpha");
  o = {};
  o.holt_beta = 1.5;
  expect_key(o, "predictor.holt_beta");
  o = {};
  o.holt_damping = std::numeric_limits<double>::quiet_NaN();
  expect_key(o, "predictor.holt_damping");
  o = {};
  o.seasonal_max_period = 64;  // more than history_window / 2
  expect_key(o, "predictor.seasonal_max_period");
  o = {};
  o.ar_order = 40;
  expect_key(o, "predictor.ar_order");
  o = {};
  o.ar_ridge = -1.0;
  expect_key(o, "predictor.ar_ridge");
  o = {};
  o.models = {"ewma", "ewma"};
  expect_key(o, "predictor.models");
  o = {};
  o.models = {};
  expect_key(o, "predictor.models");
}

}  // namespace
}  // namespace penumbra
