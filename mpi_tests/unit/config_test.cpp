#include "penumbra/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

std::filesystem::path write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::path(testing::TempDir()) / name;
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsAreValid) {
  Config config;
  EXPECT_NO_THROW(config.validate());
  EXPECT_EQ(config.epoch_interval, 10);
  EXPECT_EQ(config.virtual_nodes, 0);
}

TEST(Config, EnvironmentOverridesDefaults) {
  const Config config = Config::with_environment(
      Config{},
      {{"PENUMBRA_EPOCH_INTERVAL", "25"}, {"PENUMBRA_VIRTUAL_NODES", "3"}, {"PENUMBRA_LATENCY_PROBE", "yes"}});
  EXPECT_EQ(config.epoch_interval, 25);
  EXPECT_EQ(config.virtual_nodes, 3);
  EXPECT_TRUE(config.latency_probe);
}

TEST(Config, NegativeEpochIntervalNamesKeyValueAndRange) {
  try {
    Config::with_environment(Config{}, {{"PENUMBRA_EPOCH_INTERVAL", "-3"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "PENUMBRA_EPOCH_INTERVAL");
    EXPECT_EQ(error.value(), "-3");
    EXPECT_NE(std::string(error.what()).find("[1, "), std::string::npos) << error.what();
  }
}

// Tools' --set key=value (Config::with_settings): the configuration's keys, read as the environment reads them.
TEST(Config, SettingsOverrideByKeyAndNameWhatIsWrong) {
  const Config config =
      Config::with_settings(Config{}, {"predictor.ar_order=6", "predictor.models=ewma,ar", "shadow.enabled=off"});
  EXPECT_EQ(config.predictor.ar_order, 6);
  EXPECT_EQ(config.predictor.models, (std::vector<std::string>{"ewma", "ar"}));
  EXPECT_FALSE(config.shadow.enabled);
  const auto expect_error = [](const std::string& setting, const std::string& key, const std::string& value) {
    try {
      Config::with_settings(Config{}, {setting});
      ADD_FAILURE() << setting << " was accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), key) << setting;
      EXPECT_EQ(error.value(), value) << setting;
    }
  };
  expect_error("predictor.ar_ordr=6", "predictor.ar_ordr", "6");
  expect_error("predictor.ar_order=x", "predictor.ar_order", "x");
  expect_error("predictor.ar_order=0", "predictor.ar_order", "0");
  expect_error("predictor.ar_order", "setting", "predictor.ar_order");
}

TEST(Config, ShadowKeysAreValidated) {
  EXPECT_EQ(Config::with_environment(Config{}, {{"PENUMBRA_SHADOW_MAX_COPIES", "3"}}).shadow.max_copies, 3);
  EXPECT_FALSE(Config::with_environment(Config{}, {{"PENUMBRA_SHADOW_ENABLED", "off"}}).shadow.enabled);
  for (const char* bad : {"PENUMBRA_SHADOW_MAX_COPIES", "PENUMBRA_SHADOW_MAX_AGE_US", "PENUMBRA_SHADOW_BUDGET_BYTES"}) {
    try {
      Config::with_environment(Config{}, {{bad, "-1"}});
      ADD_FAILURE() << bad << " = -1 was accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), bad);
      EXPECT_EQ(error.value(), "-1");
    }
  }
}

TEST(Config, MetadataAndBalanceKeysAreValidated) {
  const Config config = Config::with_environment(
      Config{}, {{"PENUMBRA_METADATA_MODE", "centralized"}, {"PENUMBRA_BALANCE_NOISE_SIGMAS", "1.5"}});
  EXPECT_EQ(config.metadata.mode, "centralized");
  EXPECT_DOUBLE_EQ(config.balance.noise_sigmas, 1.5);
  // A negative count must not wrap into a huge valid one; a slot count must be a power of two.
  for (const auto& [bad, value] : std::vector<std::pair<std::string, std::string>>{
           {"PENUMBRA_METADATA_REPLICAS", "-1"},
           {"PENUMBRA_METADATA_SLOTS_PER_SHARD", "1000"},
           {"PENUMBRA_METADATA_MODE", "hashed"},
           {"PENUMBRA_BALANCE_NOISE_SIGMAS", "-0.5"}}) {
    try {
      Config::with_environment(Config{}, {{bad, value}});
      ADD_FAILURE() << bad << " = " << value << " was accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.key(), bad);
      EXPECT_EQ(error.value(), value);
    }
  }
}

TEST(Config, SectionKeysComeFromEnvironmentAsNumbersWordsAndLists) {
  const Config config = Config::with_environment(Config{}, {{"PENUMBRA_AFFINITY_MARGIN", "0.25"},
                                                            {"PENUMBRA_MONITOR_COUNTERS", "timers"},
                                                            {"PENUMBRA_PREDICTOR_MODELS", "holt, ar"},
                                                            {"PENUMBRA_SHADOW_TREND_DAMPING", "1"}});
  EXPECT_DOUBLE_EQ(config.affinity.margin, 0.25);
  EXPECT_EQ(config.monitor.counters, "timers");
  EXPECT_EQ(config.predictor.models, (std::vector<std::string>{"holt", "ar"}));
  EXPECT_DOUBLE_EQ(config.shadow.trend_damping, 1.0);
}

TEST(Config, SectionValueOutOfRangeNamesTheVariableAndTheSectionRange) {
  try {
    Config::with_environment(Config{}, {{"PENUMBRA_AFFINITY_MARGIN", "11"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "PENUMBRA_AFFINITY_MARGIN");
    EXPECT_EQ(error.value(), "11");
    EXPECT_NE(error.allowed().find("10"), std::string::npos) << error.what();
  }
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_MONITOR_COUNTERS", "cycles"}}), ConfigError);
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_PREDICTOR_MODELS", "holt,crystal-ball"}}), ConfigError);
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_SHADOW_TREND_DAMPING", "nan"}}), ConfigError);
}

// predictor.ar_order is bounded by predictor.history_window: setting both must not depend on their order.
TEST(Config, KeysThatBoundEachOtherAreCheckedTogether) {
  const Config config = Config::with_environment(
      Config{}, {{"PENUMBRA_PREDICTOR_AR_ORDER", "32"}, {"PENUMBRA_PREDICTOR_HISTORY_WINDOW", "200"}});
  EXPECT_EQ(config.predictor.ar_order, 32);
  // 3 x 32 + 2 = 98 observations needed; the default window keeps 96.
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_PREDICTOR_AR_ORDER", "32"}}), ConfigError);
}

TEST(Config, SectionsInTomlAsTablesOrDottedKeys) {
  const auto path = write_file("sections.toml",
                               "epoch_interval = 4\n"
                               "shadow.max_copies = 3\n"
                               "[affinity]\nlocality_weight = 2\nmargin = 0.5\n"
                               "[predictor]\nmodels = [\"ewma\", \"seasonal\"]\n");
  const Config config = Config::from_file(path);
  EXPECT_EQ(config.epoch_interval, 4);
  EXPECT_EQ(config.shadow.max_copies, 3);
  EXPECT_DOUBLE_EQ(config.affinity.locality_weight, 2.0);
  EXPECT_DOUBLE_EQ(config.affinity.margin, 0.5);
  EXPECT_EQ(config.predictor.models, (std::vector<std::string>{"ewma", "seasonal"}));
  const auto bad = write_file("bad_section.toml", "[affinity]\nmargin = -1\n");
  try {
    Config::from_file(bad);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(error.key().find("affinity.margin"), std::string::npos) << error.key();
    EXPECT_NE(error.key().find(":2"), std::string::npos) << "line of the bad value: " << error.key();
  }
  EXPECT_THROW(Config::from_file(write_file("unknown_section.toml", "[affinty]\nmargin = 1\n")), ConfigError);
}

TEST(Config, NonNumericAndTrailingGarbageAreRejected) {
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_EPOCH_INTERVAL", "ten"}}), ConfigError);
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_EPOCH_INTERVAL", "10x"}}), ConfigError);
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_EPOCH_INTERVAL", ""}}), ConfigError);
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_LATENCY_PROBE", "maybe"}}), ConfigError);
}

TEST(Config, UnknownVariableIsATypoNotSilence) {
  try {
    Config::with_environment(Config{}, {{"PENUMBRA_EPOCH_INTERVALL", "5"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "PENUMBRA_EPOCH_INTERVALL");
    EXPECT_NE(error.allowed().find("PENUMBRA_EPOCH_INTERVAL"), std::string::npos);
  }
  EXPECT_THROW(Config::with_environment(Config{}, {{"PENUMBRA_VIRTUAL_NODE", "2"}}), ConfigError);
}

TEST(Config, UnrelatedPenumbraVariablesBelongToScripts) {
  const Config config = Config::with_environment(Config{}, {{"PENUMBRA_BUILD_DIR", "/tmp/build"},
                                                            {"PENUMBRA_TEST_JOBS", "2"}});
  EXPECT_EQ(config, Config{});
}

TEST(Config, OtherVariablesAreIgnored) {
  const Config config = Config::with_environment(Config{}, {{"HOME", "/root"}, {"PENUMBRA_CONFIG", "x.toml"}});
  EXPECT_EQ(config, Config{});
}

TEST(Config, FileThenEnvironment) {
  const auto path = write_file("penumbra_ok.toml", "epoch_interval = 7\ncheck_invariants = true\n");
  Config config = Config::from_file(path);
  EXPECT_EQ(config.epoch_interval, 7);
  EXPECT_TRUE(config.check_invariants);
  config = Config::with_environment(config, {{"PENUMBRA_EPOCH_INTERVAL", "9"}});
  EXPECT_EQ(config.epoch_interval, 9);
  EXPECT_TRUE(config.check_invariants);
}

TEST(Config, FileErrorsNameKeyAndLine) {
  const auto bad_value = write_file("penumbra_bad.toml", "# comment\nepoch_interval = 0\n");
  try {
    Config::from_file(bad_value);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(error.key().find("epoch_interval"), std::string::npos);
    EXPECT_NE(error.key().find(":2"), std::string::npos) << error.key();
    EXPECT_EQ(error.value(), "0");
  }
  EXPECT_THROW(Config::from_file(write_file("penumbra_type.toml", "epoch_interval = \"ten\"\n")), ConfigError);
  EXPECT_THROW(Config::from_file(write_file("penumbra_unknown.toml", "epoch_intervall = 3\n")), ConfigError);
  EXPECT_THROW(Config::from_file(write_file("penumbra_syntax.toml", "epoch_interval = = 3\n")), ConfigError);
  EXPECT_THROW(Config::from_file(std::filesystem::path(testing::TempDir()) / "does_not_exist.toml"), ConfigError);
}

TEST(Config, PrintedConfigurationReloadsToTheSameValues) {
  Config config;
  config.epoch_interval = 42;
  config.latency_probe = true;
  config.affinity.margin = 0.1;          // not exact in binary: must print as text that reads back exactly
  config.shadow.memory_weight_us_per_mib = 3.0;  // a whole number in a float key
  config.monitor.counters = "timers";
  config.predictor.models = {"ar", "holt"};
  const auto path = write_file("penumbra_roundtrip.toml", config.to_string());
  EXPECT_EQ(Config::from_file(path), config);
}

TEST(Config, DescribeListsEveryEnvironmentVariable) {
  const std::string text = Config::describe();
  for (const char* name : {"PENUMBRA_EPOCH_INTERVAL", "PENUMBRA_VIRTUAL_NODES", "PENUMBRA_LATENCY_PROBE",
                           "PENUMBRA_LATENCY_PROBE_SAMPLES", "PENUMBRA_CHECK_INVARIANTS", "PENUMBRA_SHADOW_MAX_COPIES",
                           "PENUMBRA_AFFINITY_MARGIN", "PENUMBRA_PREDICTOR_MODELS", "PENUMBRA_MONITOR_COUNTERS"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
}

// to_string() promises a file that reloads: strings with quotes, backslashes and control characters are
// escaped for TOML (they were printed bare; found by fuzz/fuzz_config).
TEST(Config, ToStringEscapesStringsSoTheFileReloads) {
  const std::string dir = "/tmp/a \"quoted\" dir\\with\tcontrol\nchars\x01";
  const Config config = Config::with_environment(Config{}, {{"PENUMBRA_TRACE_DIR", dir}});
  const std::string text = config.to_string();
  const Config reloaded = Config::from_file(write_file("escaped.toml", text));
  EXPECT_EQ(reloaded, config);
  EXPECT_EQ(reloaded.to_string(), text);
}

// A variable may hold any bytes; TOML (and so to_string()) only UTF-8.
TEST(Config, EnvironmentValueThatIsNotUtf8NamesTheVariable) {
  try {
    Config::with_environment(Config{}, {{"PENUMBRA_TRACE_DIR", "/tmp/\xff\xfe"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "PENUMBRA_TRACE_DIR");
    EXPECT_NE(error.allowed().find("UTF-8"), std::string::npos) << error.what();
  }
  EXPECT_NO_THROW(Config::with_environment(Config{}, {{"PENUMBRA_TRACE_DIR", "/tmp/r\xc3\xa9sultats"}}));
}

}  // namespace
}  // namespace penumbra
