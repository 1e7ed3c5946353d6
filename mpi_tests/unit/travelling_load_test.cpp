// Forecasts of loads that travel along the dependency graph (src/predict/travelling_load.hpp), on hand-made
// series whose future is known from the formula that made them.
#include "predict/travelling_load.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

// A chain 0 - 1 - ... - (n-1).
std::vector<std::vector<std::uint32_t>> chain(std::uint32_t n) {
  std::vector<std::vector<std::uint32_t>> neighbours(n);
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    neighbours[i].push_back(i + 1);
    neighbours[i + 1].push_back(i);
  }
  return neighbours;
}

// Object i's load at step t: its base times a bump centred at 2 + t / 2 (half an object per step, towards
// higher i). Bases differ, so the leader's values must be rescaled, not copied.
double bump(int i, double t) {
  const double base = 1.0 + 0.1 * i;
  const double d = i - (2.0 + t / 2.0);
  return base * (1.0 + 4.0 * std::exp(-d * d / 8.0));
}

TEST(TravellingLoads, FollowsABumpMovingAlongAChainExactly) {
  constexpr int objects = 30, steps = 32, horizon = 4;
  TravellingLoadInput input;
  input.neighbours = chain(objects);
  input.horizon = horizon;
  for (int i = 0; i < objects; ++i) {
    std::vector<double> series;
    for (int t = 0; t < steps; ++t) series.push_back(bump(i, t));
    input.own_forecast.push_back(series.back());  // persistence: what an object's own history says
    input.recent.push_back(std::move(series));
  }
  const auto forecasts = forecast_travelling_loads(input);
  // The centre is at 2 + 31/2 = 17.5; object 21 is on the rising front: its load grows over the horizon.
  for (int i : {20, 21, 22}) {
    double truth = 0.0;
    for (int h = 1; h <= horizon; ++h) truth += bump(i, steps - 1 + h) / horizon;
    ASSERT_TRUE(forecasts[i].leader.has_value()) << "object " << i;
    EXPECT_LT(*forecasts[i].leader, static_cast<std::uint32_t>(i)) << "the leader is upstream";
    EXPECT_NEAR(forecasts[i].per_step, truth, 1e-9 * truth) << "object " << i;
    EXPECT_GT(std::abs(input.own_forecast[i] - truth), 0.1 * truth) << "the own forecast was not already right";
    const double leader_base = 1.0 + 0.1 * *forecasts[i].leader;
    EXPECT_NEAR(forecasts[i].scale, (1.0 + 0.1 * i) / leader_base, 1e-9) << "the ratio of the bases";
  }
}

// Two objects, the second repeats the first two steps later at three times its size.
double first_load(int t) { return 1.0 + 0.5 * std::sin(0.7 * t) + 0.05 * t; }

TravellingLoadInput leader_and_follower() {
  TravellingLoadInput input;
  input.neighbours = chain(2);
  input.horizon = 2;
  std::vector<double> first, second;
  for (int t = 0; t < 24; ++t) {
    first.push_back(first_load(t));
    second.push_back(t >= 2 ? 3.0 * first_load(t - 2) : 3.0);
  }
  input.recent = {first, second};
  input.own_forecast = {first.back(), second.back()};
  return input;
}

TEST(TravellingLoads, TheScaleIsTheRatioOfTheBases) {
  const auto forecasts = forecast_travelling_loads(leader_and_follower());
  ASSERT_TRUE(forecasts[1].leader.has_value());
  EXPECT_EQ(*forecasts[1].leader, 0u);
  EXPECT_EQ(forecasts[1].lag, 2);
  EXPECT_NEAR(forecasts[1].scale, 3.0, 1e-9);
  // Steps 24 and 25 of the second are 3 x steps 22 and 23 of the first.
  EXPECT_NEAR(forecasts[1].per_step, 1.5 * (first_load(22) + first_load(23)), 1e-9);
}

TEST(TravellingLoads, OnlyTargetsAreForecast) {
  // Only the leader is asked for: the follower keeps its own forecast.
  TravellingLoadInput input = leader_and_follower();
  input.targets = {0};
  const auto forecasts = forecast_travelling_loads(input);
  EXPECT_FALSE(forecasts[1].leader.has_value());
  EXPECT_EQ(forecasts[1].per_step, input.own_forecast[1]);
}

TEST(TravellingLoads, KeepsTheOwnForecastOnNoise) {
  // Constant loads with 10% independent noise on a ring of 64: nothing travels, so a leader that wins is luck.
  constexpr int objects = 64;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.1);
  TravellingLoadInput input;
  input.neighbours = chain(objects);
  input.neighbours[0].push_back(objects - 1);
  input.neighbours[objects - 1].push_back(0);
  input.horizon = 10;
  for (int i = 0; i < objects; ++i) {
    std::vector<double> series;
    for (int t = 0; t < 32; ++t) series.push_back((1.0 + 0.01 * i) * (1.0 + noise(rng)));
    input.recent.push_back(std::move(series));
    input.own_forecast.push_back(1.0 + 0.01 * i);
  }
  const auto forecasts = forecast_travelling_loads(input);
  int followed = 0;
  for (int i = 0; i < objects; ++i)
    if (forecasts[i].leader) {
      ++followed;
      EXPECT_NEAR(forecasts[i].per_step, 1.0 + 0.01 * i, 0.1 * (1.0 + 0.01 * i)) << "object " << i;
    } else {
      EXPECT_EQ(forecasts[i].per_step, input.own_forecast[i]);
    }
  EXPECT_LE(followed, objects / 10) << followed << " of " << objects << " objects followed a leader on noise";
}

TEST(TravellingLoads, KeepsTheOwnForecastWhenEveryObjectChangesAtOnce) {
  // A phase change: every object's level doubles at step 20, no noise. No object's neighbour saw it first.
  constexpr int objects = 16;
  TravellingLoadInput input;
  input.neighbours = chain(objects);
  input.horizon = 5;
  for (int i = 0; i < objects; ++i) {
    std::vector<double> series;
    for (int t = 0; t < 32; ++t) series.push_back((1.0 + 0.1 * i) * (t >= 20 ? 2.0 : 1.0));
    input.recent.push_back(std::move(series));
    input.own_forecast.push_back(2.0 * (1.0 + 0.1 * i));
  }
  const auto forecasts = forecast_travelling_loads(input);
  for (int i = 0; i < objects; ++i) {
    EXPECT_FALSE(forecasts[i].leader.has_value()) << "object " << i;
    EXPECT_EQ(forecasts[i].per_step, input.own_forecast[i]);
  }
}

TEST(TravellingLoads, ShortHistoriesKeepTheOwnForecast) {
  TravellingLoadInput input;
  input.neighbours = chain(3);
  input.horizon = 10;
  input.recent = {{1, 2, 3}, {1, 2, 3}, {1, 2, 3}};
  input.own_forecast = {4, 5, 6};
  const auto forecasts = forecast_travelling_loads(input);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(forecasts[i].leader.has_value());
    EXPECT_EQ(forecasts[i].per_step, input.own_forecast[i]);
  }
}

// A bump with compact support moving half an object per step towards higher i: objects it has not reached have
// an exactly flat past, so no leader can explain them.
double compact_bump(int i, double t) {
  const double base = 1.0 + 0.1 * i;
  const double d = (i - (2.0 + t / 2.0)) / 4.0;
  return base * (1.0 + 4.0 * std::max(0.0, 1.0 - d * d));
}

TravellingLoadInput compact_bump_input(int objects, int steps, int horizon) {
  TravellingLoadInput input;
  input.neighbours = chain(static_cast<std::uint32_t>(objects));
  input.horizon = horizon;
  for (int i = 0; i < objects; ++i) {
    std::vector<double> series;
    for (int t = 0; t < steps; ++t) series.push_back(compact_bump(i, t));
    input.own_forecast.push_back(series.back());
    input.recent.push_back(std::move(series));
  }
  return input;
}

TEST(TravellingLoads, TheFrontFollowsTheLeaderOfTheNearestFollowerBehindIt) {
  constexpr int objects = 30, steps = 32, horizon = 10;
  const TravellingLoadInput input = compact_bump_input(objects, steps, horizon);
  // At step 31 the centre is at 17.5 and the support reaches 21.5: object 22 has only seen its base, and the
  // load arrives within the horizon (the centre reaches 22.5 at step 41).
  const int front = 22;
  double truth = 0.0;
  for (int h = 1; h <= horizon; ++h) truth += compact_bump(front, steps - 1 + h) / horizon;
  ASSERT_GT(truth, 1.5 * input.own_forecast[front]) << "the load does arrive within the horizon";

  const auto without = forecast_travelling_loads(input, {.front_ratio = 0.0});
  EXPECT_FALSE(without[front].leader.has_value()) << "a flat past explains nothing";
  EXPECT_EQ(without[front].per_step, input.own_forecast[front]);

  const auto with = forecast_travelling_loads(input);
  ASSERT_TRUE(with[front].through.has_value());
  ASSERT_TRUE(with[front].leader.has_value());
  EXPECT_LT(*with[front].through, static_cast<std::uint32_t>(front)) << "the follower is behind the front";
  EXPECT_LT(*with[front].leader, *with[front].through) << "and its leader further behind";
  EXPECT_LT(std::abs(with[front].per_step - truth), 0.5 * std::abs(input.own_forecast[front] - truth))
      << "forecast " << with[front].per_step << ", truth " << truth << ", own " << input.own_forecast[front];
  // Objects the first pass explained keep their own choice.
  for (int i = 0; i < objects; ++i) {
    if (without[i].leader) {
      EXPECT_EQ(with[i].per_step, without[i].per_step) << "object " << i;
    }
  }
}

TEST(TravellingLoads, EachOwnersShareEqualsTheWholeForecast) {
  // The runtime splits the forecast: each rank asks for its own objects (targets) and the rows are gathered.
  // That is only the same plan if every object's forecast is the same whoever computes it, the front's too: it
  // reads the first-pass choice of a follower that another rank may own.
  constexpr int objects = 30, steps = 32, horizon = 10;
  TravellingLoadInput input = compact_bump_input(objects, steps, horizon);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 0.05);
  for (auto& series : input.recent)
    for (double& value : series) value *= 1.0 + noise(rng);
  const auto whole = forecast_travelling_loads(input);
  // Split the objects where the first front object is, so that its follower belongs to the other share.
  const auto front = std::ranges::find_if(whole, [](const TravellingLoadForecast& f) { return f.through.has_value(); });
  ASSERT_NE(front, whole.end()) << "the case must hold a front object for the check to mean anything";
  const auto split = static_cast<std::uint32_t>(front - whole.begin());
  ASSERT_LT(*front->through, split);
  for (const auto& [from, to] : {std::pair<std::uint32_t, std::uint32_t>{0, split}, {split, objects}}) {
    TravellingLoadInput share = input;
    for (std::uint32_t i = from; i < to; ++i) share.targets.push_back(i);
    const auto part = forecast_travelling_loads(share);
    for (std::uint32_t i : share.targets) {
      EXPECT_EQ(part[i].per_step, whole[i].per_step) << "object " << i;
      EXPECT_EQ(part[i].leader, whole[i].leader) << "object " << i;
      EXPECT_EQ(part[i].lag, whole[i].lag) << "object " << i;
      EXPECT_EQ(part[i].through, whole[i].through) << "object " << i;
    }
  }
}

TEST(TravellingLoads, BadInputIsATypedErrorNamingTheValue) {
  TravellingLoadInput input;
  input.neighbours = chain(2);
  input.recent = {{1.0}, {1.0}};
  input.own_forecast = {1.0, 1.0};
  input.horizon = 0;
  EXPECT_THROW(forecast_travelling_loads(input), InvalidArgument);
  input.horizon = 1;
  input.neighbours[1].push_back(5);
  try {
    forecast_travelling_loads(input);
    FAIL() << "a neighbour out of range was accepted";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("neighbours[1] holds 5"), std::string::npos) << error.what();
  }
  input.neighbours = chain(2);
  input.recent[0][0] = -1.0;
  EXPECT_THROW(forecast_travelling_loads(input), InvalidLoad);
  input.recent[0][0] = 1.0;
  input.own_forecast.pop_back();
  EXPECT_THROW(forecast_travelling_loads(input), InvalidArgument);
  input.own_forecast.push_back(1.0);
  EXPECT_THROW(forecast_travelling_loads(input, {.margin = 0.0}), InvalidArgument);
  try {
    forecast_travelling_loads(input, {.front_ratio = 1.5});
    FAIL() << "front_ratio 1.5 was accepted";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("front_ratio = 1.5"), std::string::npos) << error.what();
  }
  input.targets = {2};
  EXPECT_THROW(forecast_travelling_loads(input), InvalidArgument);
}

}  // namespace
}  // namespace penumbra
