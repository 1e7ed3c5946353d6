// The trace section of the configuration: keys, the PENUMBRA_TRACE alias and its precedence.
#include <gtest/gtest.h>

#include <fstream>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

TEST(TraceConfig, OffByDefault) {
  EXPECT_FALSE(Config{}.trace.enabled());
  EXPECT_EQ(Config{}.trace.dir, "");
}

TEST(TraceConfig, SectionVariablesSetDirAndRunName) {
  const Config config =
      Config::with_environment(Config{}, {{"PENUMBRA_TRACE_DIR", "/tmp/a"}, {"PENUMBRA_TRACE_RUN_NAME", "r1"}});
  EXPECT_EQ(config.trace.dir, "/tmp/a");
  EXPECT_EQ(config.trace.run_name, "r1");
  EXPECT_TRUE(config.trace.enabled());
}

TEST(TraceConfig, ShortAliasWinsOverTheFileAndTheSectionVariable) {
  const auto file = std::filesystem::path(::testing::TempDir()) / "trace_config.toml";
  std::ofstream(file) << "[trace]\ndir = \"/from/file\"\nrun_name = \"filed\"\n";
  EXPECT_EQ(Config::from_file(file).trace.dir, "/from/file");
  const Config config = Config::with_environment(
      Config::from_file(file), {{"PENUMBRA_TRACE", "/from/alias"}, {"PENUMBRA_TRACE_DIR", "/from/section"}});
  EXPECT_EQ(config.trace.dir, "/from/alias");
  EXPECT_EQ(config.trace.run_name, "filed");
}

TEST(TraceConfig, RunNameWithASlashNamesTheVariable) {
  try {
    Config::with_environment(Config{}, {{"PENUMBRA_TRACE_RUN_NAME", "a/b"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "PENUMBRA_TRACE_RUN_NAME");
    EXPECT_EQ(error.value(), "a/b");
  }
}

TEST(TraceConfig, PrintedAndReloadable) {
  Config config;
  config.trace.dir = "/tmp/t";
  const std::string text = config.to_string();
  EXPECT_NE(text.find("trace.dir = \"/tmp/t\""), std::string::npos) << text;
  EXPECT_NE(Config::describe().find("PENUMBRA_TRACE_DIR"), std::string::npos);
}

}  // namespace
}  // namespace penumbra
