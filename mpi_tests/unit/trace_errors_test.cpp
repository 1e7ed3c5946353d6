// read_trace on broken files: every error is a TraceError that names the file, the line and the field.
// The broken files are made by editing a good one by hand (string replacement), never by the writer.
#include <gtest/gtest.h>

#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"
#include "trace_test_support.hpp"

namespace penumbra::trace {
namespace {

using namespace testing_support;

class BrokenTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("trace_errors_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    TraceWriter writer(dir_, sample_header());
    for (int epoch = 0; epoch < 3; ++epoch) writer.append(sample_epoch(epoch));
    path_ = writer.path();
    good_ = read_text(path_);
  }

  // Replaces the first occurrence of `from` at or after line `line` (1-based) and returns the error read_trace
  // then throws.
  TraceError error_after_replacing(std::size_t line, const std::string& from, const std::string& to) {
    std::size_t at = 0;
    for (std::size_t i = 1; i < line; ++i) at = good_.find('\n', at) + 1;
    const auto found = good_.find(from, at);
    EXPECT_NE(found, std::string::npos) << from;
    std::string text = good_;
    text.replace(found, from.size(), to);
    write_text(path_, text);
    return expect_error();
  }

  TraceError expect_error() {
    try {
      read_trace(path_);
    } catch (const TraceError& error) {
      EXPECT_EQ(error.file(), path_.string());
      return error;
    }
    ADD_FAILURE() << "read_trace accepted a broken trace";
    return TraceError("", 0, "", "");
  }

  std::filesystem::path dir_, path_;
  std::string good_;
};

TEST_F(BrokenTrace, TruncatedLastLineNamesItsLine) {
  // Cut the file in the middle of the fourth line (the third epoch), as a killed run would leave it.
  const auto fourth = good_.find('\n', good_.find('\n', good_.find('\n') + 1) + 1) + 1;
  write_text(path_, good_.substr(0, fourth + 100));
  const TraceError error = expect_error();
  EXPECT_EQ(error.line(), 4u);
  EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find(":4:"), std::string::npos) << error.what();
}

TEST_F(BrokenTrace, MissingFieldNamesItsPath) {
  const TraceError error = error_after_replacing(3, "\"actual_load\"", "\"actual_lod\"");
  EXPECT_EQ(error.line(), 3u);
  EXPECT_EQ(error.field(), "ranks[0].actual_load");
}

TEST_F(BrokenTrace, WrongTypeNamesTheFieldAndWhatWasExpected) {
  const TraceError error = error_after_replacing(2, "\"bytes\":4096", "\"bytes\":\"many\"");
  EXPECT_EQ(error.line(), 2u);
  EXPECT_EQ(error.field(), "moves[0].bytes");
  EXPECT_NE(std::string(error.what()).find("non-negative integer"), std::string::npos) << error.what();
}

TEST_F(BrokenTrace, UnknownTriggerListsTheKnownOnes) {
  const TraceError error = error_after_replacing(2, "\"periodic\"", "\"sometimes\"");
  EXPECT_EQ(error.field(), "trigger");
  EXPECT_NE(std::string(error.what()).find("periodic, threshold, manual"), std::string::npos) << error.what();
}

TEST_F(BrokenTrace, RankOutOfRangeInAPlanNamesTheNestedField) {
  const TraceError error = error_after_replacing(2, "\"owner\":0", "\"owner\":7");
  EXPECT_EQ(error.field(), "input.objects[0].owner");
}

TEST_F(BrokenTrace, NewerVersionIsRefusedOnTheHeaderLine) {
  const TraceError error = error_after_replacing(1, "\"version\":1", "\"version\":2");
  EXPECT_EQ(error.line(), 1u);
  EXPECT_EQ(error.field(), "version");
}

TEST_F(BrokenTrace, RankCountDisagreeingWithTheHeaderIsRefused) {
  const TraceError error = error_after_replacing(1, "\"ranks\":2", "\"ranks\":3");
  EXPECT_EQ(error.line(), 2u);
  EXPECT_EQ(error.field(), "ranks");
}

TEST_F(BrokenTrace, AnotherJsonFileIsNotATrace) {
  write_text(path_, "{\"hello\":1}\n");
  const TraceError error = expect_error();
  EXPECT_EQ(error.line(), 1u);
  EXPECT_EQ(error.field(), "format");
}

TEST_F(BrokenTrace, EmptyFileNamesTheMissingHeader) {
  write_text(path_, "");
  const TraceError error = expect_error();
  EXPECT_EQ(error.line(), 1u);
  EXPECT_NE(std::string(error.what()).find("empty"), std::string::npos);
}

TEST_F(BrokenTrace, GarbageLineIsNotJson) {
  write_text(path_, good_ + "this is not json\n");
  const TraceError error = expect_error();
  EXPECT_EQ(error.line(), 5u);
  EXPECT_NE(std::string(error.what()).find("not valid JSON"), std::string::npos) << error.what();
}

TEST(ReadTrace, MissingFileIsATraceError) { EXPECT_THROW(read_trace("/nonexistent/penumbra/none.jsonl"), TraceError); }

}  // namespace
}  // namespace penumbra::trace
