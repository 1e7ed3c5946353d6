// Writing the records as JSON. Field names here and in decode.cpp are the schema of docs/trace-format.md.
#include <cmath>

#include "trace/codec.hpp"

namespace penumbra::trace {
namespace {

using nlohmann::json;

// JSON has no NaN or infinity (nlohmann writes null), and a trace must read back: write them as null, which
// the reader rejects by name, rather than a value that parses as something else.
json finite_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json encode_move(const balance::PlannedMove& move) {
  return {{"id", move.id.value},
          {"from", move.from},
          {"to", move.to},
          {"bytes", move.bytes},
          {"reason", to_string(move.reason)},
          {"gain", move.gain}};
}

json encode_moves(const std::vector<balance::PlannedMove>& moves) {
  json result = json::array();
  for (const auto& move : moves) result.push_back(encode_move(move));
  return result;
}

json encode_input(const balance::EpochInput& input) {
  json ranks = json::array();
  for (const auto& rank : input.ranks)
    ranks.push_back({{"node", rank.node},
                     {"measured_load", rank.measured_load},
                     {"predicted_load", rank.predicted_load},
                     {"uncertainty", rank.uncertainty},
                     {"capacity", rank.capacity},
                     {"speed", rank.speed}});
  json objects = json::array();
  for (const auto& object : input.objects) {
    json accesses = json::array();
    for (const auto& access : object.accesses)
      accesses.push_back({{"rank", access.rank}, {"accesses", access.accesses}, {"bytes", access.bytes}});
    json edges = json::array();
    for (const auto& edge : object.edges)
      edges.push_back({{"other", edge.other.value}, {"bytes_per_step", edge.bytes_per_step}});
    objects.push_back({{"id", object.id.value},
                       {"owner", object.owner},
                       {"size_bytes", object.size_bytes},
                       {"measured_cost", object.measured_cost},
                       {"predicted_cost", object.predicted_cost},
                       {"next_cost", object.next_cost},
                       {"accesses", std::move(accesses)},
                       {"edges", std::move(edges)}});
  }
  return {{"epoch", input.epoch},
          {"steps_until_next_epoch", input.steps_until_next_epoch},
          {"bandwidth_bytes_per_s", input.bandwidth_bytes_per_s},
          {"threshold", input.threshold},
          {"plan_target", input.plan_target},
          {"ranks", std::move(ranks)},
          {"objects", std::move(objects)}};
}

json encode_plan(const balance::Plan& plan) {
  return {{"moves", encode_moves(plan.moves)},
          {"projected_load", plan.projected_load},
          {"rounds", plan.rounds},
          {"messages", plan.messages},
          {"plan_seconds", plan.plan_seconds}};
}

}  // namespace

json encode(const RunHeader& header) {
  return {{"format", kFormatName},
          {"version", header.format_version},
          {"run_name", header.run_name},
          {"ranks", header.ranks},
          {"nodes", header.nodes},
          {"strategy", header.strategy},
          {"config", header.config},
          {"start_time", header.start_time},
          {"start_unix_seconds", header.start_unix_seconds}};
}

json encode(const EpochRecord& record) {
  json phases = json::object();
  for (std::size_t i = 0; i < kPhaseCount; ++i)
    phases[std::string(to_string(static_cast<Phase>(i)))] = {{"start", record.phases[i].start},
                                                             {"seconds", record.phases[i].seconds}};
  json ranks = json::array();
  for (const auto& rank : record.ranks)
    ranks.push_back({{"predicted_load", rank.predicted_load},
                     {"actual_load", rank.actual_load},
                     {"shadow_hits", rank.shadow_hits},
                     {"shadow_misses", rank.shadow_misses},
                     {"shadows_created", rank.shadows_created},
                     {"shadows_dropped", rank.shadows_dropped},
                     {"metadata_lookups", rank.metadata_lookups},
                     {"metadata_updates", rank.metadata_updates}});
  return {{"type", "epoch"},
          {"epoch", record.epoch},
          {"step", record.step},
          {"trigger", to_string(record.trigger)},
          {"phases", std::move(phases)},
          {"ranks", std::move(ranks)},
          {"prediction_error", record.prediction_error ? finite_or_null(*record.prediction_error) : json(nullptr)},
          {"moves", encode_moves(record.moves)},
          {"staleness", {{"p50", record.staleness_p50}, {"p99", record.staleness_p99}}},
          {"strategy", record.strategy},
          {"input", encode_input(record.input)},
          {"plan", encode_plan(record.plan)}};
}

}  // namespace penumbra::trace
