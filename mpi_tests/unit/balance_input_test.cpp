// Bad input and bad options get a typed error whose message names the value.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "balance_test_support.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {
namespace {

using test::add;
using test::snapshot;

// The message of what `body` throws as E ("" if it throws nothing).
template <class E, class Body>
std::string message_of(Body&& body) {
  try {
    body();
  } catch (const E& error) {
    return error.what();
  }
  return "";
}

TEST(BalanceInput, UnknownStrategyNamesTheValueAndTheKnownNames) {
  const std::string message = message_of<InvalidArgument>([] { make_strategy("gredy"); });
  EXPECT_NE(message.find("'gredy'"), std::string::npos) << message;
  EXPECT_NE(message.find("greedy"), std::string::npos) << message;
  EXPECT_NE(message.find("refine"), std::string::npos) << message;
}

TEST(BalanceInput, EveryListedNameBuilds) {
  for (const std::string& name : strategy_names()) EXPECT_EQ(make_strategy(name)->name(), name);
}

TEST(BalanceInput, ErrorsNameTheBadValue) {
  for (const std::string& name : test::pure_strategies()) {
    const auto strategy = make_strategy(name);
    EpochInput input = snapshot(2);
    add(input, 7, 0, 1.0);
    EXPECT_NE(message_of<InvalidArgument>([&] { strategy->plan(snapshot(0)); }).find("ranks is empty"),
              std::string::npos)
        << name;

    EpochInput bad_owner = input;
    bad_owner.objects[0].owner = 5;
    EXPECT_NE(message_of<InvalidArgument>([&] { strategy->plan(bad_owner); }).find("= 5 (expected a rank in [0, 2))"),
              std::string::npos)
        << name;

    EpochInput duplicate = input;
    add(duplicate, 7, 1, 1.0);
    EXPECT_NE(message_of<InvalidArgument>([&] { strategy->plan(duplicate); }).find("listed twice"), std::string::npos)
        << name;

    EpochInput negative = input;
    negative.objects[0].measured_cost = -2.5;
    EXPECT_NE(message_of<InvalidLoad>([&] { strategy->plan(negative); }).find("measured_cost of object"),
              std::string::npos)
        << name;
    EXPECT_NE(message_of<InvalidLoad>([&] { strategy->plan(negative); }).find("-2.5"), std::string::npos) << name;

    EpochInput nan_prediction = input;
    nan_prediction.objects[0].predicted_cost = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(message_of<InvalidLoad>([&] { strategy->plan(nan_prediction); }).find("predicted_cost"),
              std::string::npos)
        << name;

    EpochInput zero_threshold = input;
    zero_threshold.threshold = 0.0;
    EXPECT_NE(message_of<InvalidArgument>([&] { strategy->plan(zero_threshold); }).find("threshold = 0"),
              std::string::npos)
        << name;

    EpochInput negative_target = input;
    negative_target.plan_target = -0.25;
    EXPECT_NE(message_of<InvalidArgument>([&] { strategy->plan(negative_target); }).find("plan_target = -0.25"),
              std::string::npos)
        << name;
  }
}

TEST(BalanceInput, ABadEdgeIsNamedWhereItIsRead) {
  // Edges are checked where a strategy reads them: predictive reads the edges of an overloaded rank's objects.
  EpochInput input = snapshot(2);
  add(input, 1, 0, 2.0).edges = {{ObjectId{2}, -5.0}};
  add(input, 2, 0, 2.0);
  const std::string message = message_of<InvalidLoad>([&] { make_strategy("predictive")->plan(input); });
  EXPECT_NE(message.find("edge bytes_per_step of object"), std::string::npos) << message;
  EXPECT_NE(message.find("-5"), std::string::npos) << message;
}

TEST(BalanceInput, UnsortedIdsAreAcceptedAndDuplicatesFound) {
  EpochInput input = snapshot(2);
  add(input, 9, 0, 1.0);
  add(input, 3, 0, 1.0);
  add(input, 5, 1, 1.0);
  EXPECT_NO_THROW(make_strategy("greedy")->plan(input));
  add(input, 3, 1, 1.0);
  EXPECT_NE(message_of<InvalidArgument>([&] { make_strategy("greedy")->plan(input); }).find("listed twice"),
            std::string::npos);
}

TEST(BalanceOptions, DefaultsAreValid) { EXPECT_NO_THROW(BalanceOptions{}.validate()); }

TEST(BalanceOptions, BadValuesNameKeyAndValue) {
  BalanceOptions options;
  options.strategy = "charm";
  try {
    options.validate();
    FAIL() << "unknown strategy accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "balance.strategy");
    EXPECT_EQ(e.value(), "charm");
    EXPECT_NE(e.allowed().find("refine"), std::string::npos) << e.allowed();
  }
  options = {};
  options.threshold = 0.0;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("balance.threshold = '0'"), std::string::npos);
  options = {};
  options.threshold = -1.0;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("'-1'"), std::string::npos);
  options = {};
  options.plan_target = -0.1;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("balance.plan_target = '-0.1'"),
            std::string::npos);
  options = {};
  options.plan_target = 101.0;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("balance.plan_target = '101'"),
            std::string::npos);
  options = {};
  options.plan_target = 0.0;  // plan to the mean itself: allowed
  EXPECT_NO_THROW(options.validate());
  options = {};
  options.horizon = 0;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("balance.horizon = '0'"), std::string::npos);
  options = {};
  options.epoch_every = -1;
  EXPECT_NE(message_of<ConfigError>([&] { options.validate(); }).find("balance.epoch_every = '-1'"), std::string::npos);
}

TEST(BalanceOptions, ConfigReadsTheSectionFromTheEnvironment) {
  const Config config = Config::with_environment(Config{}, {{"PENUMBRA_BALANCE_STRATEGY", "refine"},
                                                            {"PENUMBRA_BALANCE_HORIZON", "4"},
                                                            {"PENUMBRA_BALANCE_PLAN_TARGET", "0.1"}});
  EXPECT_EQ(config.balance.strategy, "refine");
  EXPECT_EQ(config.balance.horizon, 4);
  EXPECT_DOUBLE_EQ(config.balance.plan_target, 0.1);
  const std::string message = message_of<ConfigError>([] {
    Config::with_environment(Config{}, {{"PENUMBRA_BALANCE_STRATEGY", "best"}});
  });
  EXPECT_NE(message.find("PENUMBRA_BALANCE_STRATEGY = 'best'"), std::string::npos) << message;
  EXPECT_NE(message.find("static"), std::string::npos) << message;
  EXPECT_NE(message_of<ConfigError>([] {
              Config::with_environment(Config{}, {{"PENUMBRA_BALANCE_HORIZON", "0"}});
            }).find("PENUMBRA_BALANCE_HORIZON = '0'"),
            std::string::npos);
}

}  // namespace
}  // namespace penumbra::balance
