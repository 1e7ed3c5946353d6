#pragma once
// Hand-written trace records for the trace tests: every field set to a distinct value, so a field the
// writer or reader drops or swaps shows up as a mismatch.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "penumbra/trace.hpp"

namespace penumbra::trace::testing_support {

inline RunHeader sample_header(std::string run_name = "sample") {
  RunHeader header;
  header.run_name = std::move(run_name);
  header.ranks = 2;
  header.nodes = 1;
  header.strategy = "predictive";
  header.config = {{"epoch_interval", "10"}, {"trace.dir", "\"/tmp/t\""}};
  header.start_time = "2026-11-30T04:50:22Z";
  header.start_unix_seconds = 1796014222.5;
  return header;
}

inline EpochRecord sample_epoch(std::int64_t epoch) {
  const double t = 1.0 + static_cast<double>(epoch);
  EpochRecord record;
  record.epoch = epoch;
  record.step = 10 * (epoch + 1);
  record.trigger = epoch % 2 == 0 ? Trigger::periodic : Trigger::threshold;
  record.phase(Phase::snapshot) = {t, 0.001};
  record.phase(Phase::predict) = {t + 0.001, 0.002};
  record.phase(Phase::plan) = {t + 0.003, 0.003};
  record.phase(Phase::move) = {t + 0.006, 0.004};
  record.phase(Phase::metadata) = {t + 0.010, 0.005};
  record.ranks = {RankRecord{0.5, 0.75, 11, 12, 13, 14, 15, 16}, RankRecord{0.25, 0.125, 21, 22, 23, 24, 25, 26}};
  if (epoch > 0) record.prediction_error = 0.375;
  record.moves = {
      balance::PlannedMove{ObjectId{0xfedcba9876543210ULL}, 0, 1, 4096, balance::MoveReason::overload, 0.5}};
  record.staleness_p50 = 1.0;
  record.staleness_p99 = 3.0;
  record.strategy = "predictive";
  record.input.epoch = epoch;
  record.input.steps_until_next_epoch = 10;
  record.input.bandwidth_bytes_per_s = 2e9;
  record.input.threshold = 0.25;
  record.input.plan_target = 0.125;
  record.input.ranks = {balance::RankState{0, 0.75, 0.8, 0.05, 0.0, 1.0},
                        balance::RankState{0, 0.125, 0.2, 0.01, 0.5, 2.0}};
  balance::ObjectState object;
  object.id = ObjectId{0xfedcba9876543210ULL};
  object.owner = 0;
  object.size_bytes = 4096;
  object.measured_cost = 0.3;
  object.predicted_cost = 0.35;
  object.next_cost = -1.0;
  object.accesses = {RankAccesses{0, 7, 700}, RankAccesses{1, 9, 900}};
  object.edges = {balance::Edge{ObjectId{42}, 128.0}};
  record.input.objects = {object};
  record.plan.moves = record.moves;
  record.plan.projected_load = {0.45, 0.5};
  record.plan.rounds = 2;
  record.plan.messages = 6;
  record.plan.plan_seconds = 0.0025;
  return record;
}

inline std::vector<std::string> file_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace penumbra::trace::testing_support
