// Reading the records back from JSON, field by field through JsonCursor so every problem names its field.
// Unknown fields are ignored (the versioning rule in docs/trace-format.md: adding a field keeps the version).
#include <fmt/format.h>

#include <limits>

#include "trace/codec.hpp"
#include "trace/names.hpp"

namespace penumbra::trace {
namespace {

constexpr int kMaxRanks = std::numeric_limits<int>::max();

int rank_in(const JsonCursor& at, std::string_view key, int ranks) { return at.small_integer(key, 0, ranks - 1); }

balance::PlannedMove decode_move(const JsonCursor& at, int ranks) {
  balance::PlannedMove move;
  move.id = ObjectId{at.count("id")};
  move.from = rank_in(at, "from", ranks);
  move.to = rank_in(at, "to", ranks);
  move.bytes = at.count("bytes");
  const std::string reason = at.text("reason");
  const auto known = move_reason_from(reason);
  if (!known)
    at.fail("reason", fmt::format("unknown move reason '{}' (expected one of {})", reason, move_reason_words()));
  move.reason = *known;
  move.gain = at.number("gain");
  return move;
}

std::vector<balance::PlannedMove> decode_moves(const JsonCursor& at, std::string_view key, int ranks) {
  std::vector<balance::PlannedMove> moves;
  for (const auto& element : at.elements(key)) moves.push_back(decode_move(element, ranks));
  return moves;
}

balance::EpochInput decode_input(const JsonCursor& at, int ranks) {
  balance::EpochInput input;
  input.epoch = at.integer("epoch");
  input.steps_until_next_epoch = at.number("steps_until_next_epoch");
  input.bandwidth_bytes_per_s = at.number("bandwidth_bytes_per_s");
  input.threshold = at.number("threshold");
  // Traces from before balance.plan_target existed planned to the threshold itself.
  input.plan_target = at.optional_number("plan_target").value_or(input.threshold);
  const auto rank_states = at.elements("ranks");
  if (rank_states.size() != static_cast<std::size_t>(ranks))
    at.fail("ranks", fmt::format("has {} entries, expected one per rank ({})", rank_states.size(), ranks));
  for (const auto& rank : rank_states)
    input.ranks.push_back({.node = rank.small_integer("node", 0, kMaxRanks),
                           .measured_load = rank.number("measured_load"),
                           .predicted_load = rank.number("predicted_load"),
                           .uncertainty = rank.number("uncertainty"),
                           .capacity = rank.number("capacity"),
                           .speed = rank.number("speed")});
  for (const auto& object : at.elements("objects")) {
    balance::ObjectState state;
    state.id = ObjectId{object.count("id")};
    state.owner = rank_in(object, "owner", ranks);
    state.size_bytes = object.count("size_bytes");
    state.measured_cost = object.number("measured_cost");
    state.predicted_cost = object.number("predicted_cost");
    state.next_cost = object.number("next_cost");
    for (const auto& access : object.elements("accesses"))
      state.accesses.push_back({.rank = rank_in(access, "rank", ranks),
                                .accesses = access.count("accesses"),
                                .bytes = access.count("bytes")});
    for (const auto& edge : object.elements("edges"))
      state.edges.push_back({.other = ObjectId{edge.count("other")}, .bytes_per_step = edge.number("bytes_per_step")});
    input.objects.push_back(std::move(state));
  }
  return input;
}

balance::Plan decode_plan(const JsonCursor& at, int ranks) {
  balance::Plan plan;
  plan.moves = decode_moves(at, "moves", ranks);
  for (const auto& load : at.elements("projected_load")) plan.projected_load.push_back(load.as_number());
  plan.rounds = at.small_integer("rounds", 0, std::numeric_limits<int>::max());
  plan.messages = at.count("messages");
  plan.plan_seconds = at.number("plan_seconds");
  return plan;
}

}  // namespace

RunHeader decode_header(const JsonCursor& line) {
  RunHeader header;
  const std::string format = line.text("format");
  if (format != kFormatName)
    line.fail("format", fmt::format("is '{}', expected '{}' (is this a Penumbra trace?)", format, kFormatName));
  header.format_version = line.small_integer("version", 1, std::numeric_limits<int>::max());
  if (header.format_version > kFormatVersion)
    line.fail("version", fmt::format("is {}, newer than the newest this reader knows ({}); use a newer penumbra-prof",
                                     header.format_version, kFormatVersion));
  header.run_name = line.text("run_name");
  header.ranks = line.small_integer("ranks", 1, kMaxRanks);
  header.nodes = line.small_integer("nodes", 1, kMaxRanks);
  header.strategy = line.text("strategy");
  const JsonCursor config = line.at("config");
  for (const auto& [key, value] : config.items()) {
    if (!value.is_string()) config.fail(key, "expected a string");
    header.config.emplace(key, value.get<std::string>());
  }
  header.start_time = line.text("start_time");
  header.start_unix_seconds = line.number("start_unix_seconds");
  return header;
}

EpochRecord decode_epoch(const JsonCursor& line, int ranks) {
  EpochRecord record;
  const std::string type = line.text("type");
  if (type != "epoch") line.fail("type", fmt::format("is '{}', expected 'epoch'", type));
  record.epoch = line.integer("epoch");
  record.step = line.integer("step");
  const std::string trigger = line.text("trigger");
  const auto known = trigger_from(trigger);
  if (!known) line.fail("trigger", fmt::format("unknown trigger '{}' (expected one of {})", trigger, trigger_words()));
  record.trigger = *known;
  const JsonCursor phases = line.at("phases");
  for (std::size_t i = 0; i < kPhaseCount; ++i) {
    const JsonCursor phase = phases.at(to_string(static_cast<Phase>(i)));
    record.phases[i] = {.start = phase.number("start"), .seconds = phase.number("seconds")};
  }
  const auto rank_records = line.elements("ranks");
  if (rank_records.size() != static_cast<std::size_t>(ranks))
    line.fail("ranks", fmt::format("has {} entries, expected one per rank ({})", rank_records.size(), ranks));
  for (const auto& rank : rank_records)
    record.ranks.push_back({.predicted_load = rank.number("predicted_load"),
                            .actual_load = rank.number("actual_load"),
                            .shadow_hits = rank.count("shadow_hits"),
                            .shadow_misses = rank.count("shadow_misses"),
                            .shadows_created = rank.count("shadows_created"),
                            .shadows_dropped = rank.count("shadows_dropped"),
                            .metadata_lookups = rank.count("metadata_lookups"),
                            .metadata_updates = rank.count("metadata_updates")});
  record.prediction_error = line.optional_number("prediction_error");
  record.moves = decode_moves(line, "moves", ranks);
  const JsonCursor staleness = line.at("staleness");
  record.staleness_p50 = staleness.number("p50");
  record.staleness_p99 = staleness.number("p99");
  record.strategy = line.text("strategy");
  record.input = decode_input(line.at("input"), ranks);
  record.plan = decode_plan(line.at("plan"), ranks);
  return record;
}

}  // namespace penumbra::trace
