// TraceWriter then read_trace gives back every field; the file is one header line plus one line per epoch.
#include <gtest/gtest.h>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"
#include "trace_test_support.hpp"

namespace penumbra::trace {
namespace {

using namespace testing_support;

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(TraceWriter, WritesHeaderThenOneFlushedLinePerEpoch) {
  const auto dir = fresh_dir("trace_lines");
  TraceWriter writer(dir / "nested", sample_header("lines"));
  EXPECT_EQ(writer.path(), dir / "nested" / "lines.penumbra-trace.jsonl");
  writer.append(sample_epoch(0));
  writer.append(sample_epoch(1));
  // Read while the writer is still open: each epoch must already be on disk.
  const auto lines = file_lines(writer.path());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"format\":\"penumbra-trace\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"version\":1"), std::string::npos);
  EXPECT_NE(lines[1].find("\"type\":\"epoch\""), std::string::npos);
  EXPECT_EQ(writer.epochs_written(), 2u);
}

TEST(TraceWriter, RejectsARecordWithTheWrongNumberOfRanks) {
  TraceWriter writer(fresh_dir("trace_ranks"), sample_header());
  EpochRecord record = sample_epoch(0);
  record.ranks.pop_back();
  EXPECT_THROW(writer.append(record), InvalidArgument);
}

TEST(TraceWriter, RejectsAnEmptyRunName) {
  EXPECT_THROW(TraceWriter(fresh_dir("trace_noname"), sample_header("")), InvalidArgument);
}

TEST(ReadTrace, RoundTripsEveryField) {
  const auto dir = fresh_dir("trace_roundtrip");
  {
    TraceWriter writer(dir, sample_header());
    for (int epoch = 0; epoch < 3; ++epoch) writer.append(sample_epoch(epoch));
  }
  const Trace trace = read_trace(trace_path(dir, "sample"));
  const RunHeader& header = trace.header;
  EXPECT_EQ(header.format_version, 1);
  EXPECT_EQ(header.run_name, "sample");
  EXPECT_EQ(header.ranks, 2);
  EXPECT_EQ(header.nodes, 1);
  EXPECT_EQ(header.strategy, "predictive");
  EXPECT_EQ(header.config.at("trace.dir"), "\"/tmp/t\"");
  EXPECT_EQ(header.start_time, "2026-11-30T04:50:22Z");
  EXPECT_DOUBLE_EQ(header.start_unix_seconds, 1796014222.5);
  ASSERT_EQ(trace.epochs.size(), 3u);

  const EpochRecord& e = trace.epochs[1];
  EXPECT_EQ(e.epoch, 1);
  EXPECT_EQ(e.step, 20);
  EXPECT_EQ(e.trigger, Trigger::threshold);
  EXPECT_DOUBLE_EQ(e.phase(Phase::move).start, 2.006);
  EXPECT_DOUBLE_EQ(e.phase(Phase::metadata).seconds, 0.005);
  ASSERT_EQ(e.ranks.size(), 2u);
  EXPECT_DOUBLE_EQ(e.ranks[0].predicted_load, 0.5);
  EXPECT_DOUBLE_EQ(e.ranks[0].actual_load, 0.75);
  EXPECT_EQ(e.ranks[1].shadow_hits, 21u);
  EXPECT_EQ(e.ranks[1].shadow_misses, 22u);
  EXPECT_EQ(e.ranks[1].shadows_created, 23u);
  EXPECT_EQ(e.ranks[1].shadows_dropped, 24u);
  EXPECT_EQ(e.ranks[1].metadata_lookups, 25u);
  EXPECT_EQ(e.ranks[1].metadata_updates, 26u);
  ASSERT_TRUE(e.prediction_error.has_value());
  EXPECT_DOUBLE_EQ(*e.prediction_error, 0.375);
  EXPECT_FALSE(trace.epochs[0].prediction_error.has_value());
  ASSERT_EQ(e.moves.size(), 1u);
  EXPECT_EQ(e.moves[0].id.value, 0xfedcba9876543210ULL);  // above 2^63: must survive as an unsigned integer
  EXPECT_EQ(e.moves[0].to, 1);
  EXPECT_EQ(e.moves[0].bytes, 4096u);
  EXPECT_EQ(e.moves[0].reason, balance::MoveReason::overload);
  EXPECT_DOUBLE_EQ(e.moves[0].gain, 0.5);
  EXPECT_DOUBLE_EQ(e.staleness_p50, 1.0);
  EXPECT_DOUBLE_EQ(e.staleness_p99, 3.0);
  EXPECT_EQ(e.strategy, "predictive");

  EXPECT_EQ(e.input.epoch, 1);
  EXPECT_DOUBLE_EQ(e.input.steps_until_next_epoch, 10);
  EXPECT_DOUBLE_EQ(e.input.bandwidth_bytes_per_s, 2e9);
  EXPECT_DOUBLE_EQ(e.input.threshold, 0.25);
  EXPECT_DOUBLE_EQ(e.input.plan_target, 0.125);
  ASSERT_EQ(e.input.ranks.size(), 2u);
  EXPECT_DOUBLE_EQ(e.input.ranks[1].predicted_load, 0.2);
  EXPECT_DOUBLE_EQ(e.input.ranks[1].uncertainty, 0.01);
  EXPECT_DOUBLE_EQ(e.input.ranks[1].capacity, 0.5);
  EXPECT_DOUBLE_EQ(e.input.ranks[1].speed, 2.0);
  ASSERT_EQ(e.input.objects.size(), 1u);
  const auto& object = e.input.objects[0];
  EXPECT_EQ(object.size_bytes, 4096u);
  EXPECT_DOUBLE_EQ(object.predicted_cost, 0.35);
  EXPECT_DOUBLE_EQ(object.next_cost, -1.0);
  ASSERT_EQ(object.accesses.size(), 2u);
  EXPECT_EQ(object.accesses[1].rank, 1);
  EXPECT_EQ(object.accesses[1].bytes, 900u);
  ASSERT_EQ(object.edges.size(), 1u);
  EXPECT_EQ(object.edges[0].other.value, 42u);
  EXPECT_DOUBLE_EQ(object.edges[0].bytes_per_step, 128.0);

  ASSERT_EQ(e.plan.moves.size(), 1u);
  EXPECT_EQ(e.plan.projected_load, (std::vector<double>{0.45, 0.5}));
  EXPECT_EQ(e.plan.rounds, 2);
  EXPECT_EQ(e.plan.messages, 6u);
  EXPECT_DOUBLE_EQ(e.plan.plan_seconds, 0.0025);
}

TEST(ReadTrace, AnEpochRecordedBeforePlanTargetExistedPlansToItsThreshold) {
  // Traces written before balance.plan_target have no "plan_target": their planner balanced to the threshold,
  // so a replay must too. The old file is made by deleting the key from a new one by hand.
  const auto dir = fresh_dir("trace_no_plan_target");
  {
    TraceWriter writer(dir, sample_header());
    writer.append(sample_epoch(0));
  }
  const auto path = trace_path(dir, "sample");
  std::string text = read_text(path);
  const std::string key = "\"plan_target\":0.125,";
  const auto found = text.find(key);
  ASSERT_NE(found, std::string::npos) << text;
  text.erase(found, key.size());
  write_text(path, text);
  const Trace trace = read_trace(path);
  ASSERT_EQ(trace.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(trace.epochs[0].input.plan_target, 0.25);
}

TEST(ReadTrace, ReportsProgressUpToTheFileSize) {
  const auto dir = fresh_dir("trace_progress");
  {
    TraceWriter writer(dir, sample_header());
    for (int epoch = 0; epoch < 4; ++epoch) writer.append(sample_epoch(epoch));
  }
  const auto path = trace_path(dir, "sample");
  std::uint64_t calls = 0, last = 0, total = 0;
  read_trace(path, [&](std::uint64_t done, std::uint64_t size) {
    ++calls;
    EXPECT_GE(done, last);
    last = done;
    total = size;
  });
  EXPECT_EQ(calls, 5u);
  EXPECT_EQ(total, std::filesystem::file_size(path));
  EXPECT_EQ(last, total);
}

TEST(PredictionError, IsWeightedAbsolutePercentageError) {
  // |1 - 2| + |3 - 2| over 2 + 2.
  EXPECT_DOUBLE_EQ(prediction_error({RankRecord{1.0, 2.0}, RankRecord{3.0, 2.0}}), 0.5);
  EXPECT_DOUBLE_EQ(prediction_error({RankRecord{0.0, 0.0}}), 0.0);
  EXPECT_THROW(prediction_error({RankRecord{-1.0, 2.0}}), InvalidLoad);
}

TEST(TraceHelpers, FormatsTimesAndPaths) {
  EXPECT_EQ(iso8601_utc(0.0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(86400.0 + 3661.9), "1970-01-02T01:01:01Z");
  EXPECT_EQ(trace_path("/a/b", "run"), std::filesystem::path("/a/b/run.penumbra-trace.jsonl"));
  EXPECT_EQ(to_string(Phase::metadata), "metadata");
  EXPECT_EQ(to_string(Trigger::manual), "manual");
  EXPECT_EQ(to_string(balance::MoveReason::node_local), "node_local");
}

TEST(TraceHelpers, RunHeaderFromTheConfiguration) {
  Config config;
  config.balance.strategy = "refine";
  config.trace.dir = "/tmp/x";
  RunHeader header = run_header(config, 4, 2, 86400.0, 77);
  EXPECT_EQ(header.run_name, "penumbra-19700102T000000Z-77");
  EXPECT_EQ(header.strategy, "refine");
  EXPECT_EQ(header.ranks, 4);
  EXPECT_EQ(header.nodes, 2);
  EXPECT_EQ(header.start_time, "1970-01-02T00:00:00Z");
  EXPECT_EQ(header.config.at("trace.dir"), "\"/tmp/x\"");
  EXPECT_EQ(header.config.at("balance.strategy"), "\"refine\"");
  config.trace.run_name = "mine";
  EXPECT_EQ(run_header(config, 4, 2, 0.0, 1).run_name, "mine");
}

}  // namespace
}  // namespace penumbra::trace
