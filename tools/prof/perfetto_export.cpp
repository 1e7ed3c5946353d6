// penumbra-prof export --perfetto: Chrome trace-event JSON (the "JSON Object Format" that ui.perfetto.dev
// and chrome://tracing load). One process for the run, one thread track per rank carrying the epoch and
// phase slices (the phases are collective, so every rank shows them), counter tracks for each rank's
// predicted and actual load, and a flow arrow per move from the sender's move slice to the receiver's.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::prof {
namespace {

using nlohmann::json;

double microseconds(double seconds) { return seconds * 1e6; }

}  // namespace

void export_perfetto(const trace::Trace& trace, const std::filesystem::path& file) {
  constexpr int kPid = 1;
  json events = json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"args", {{"name", trace.header.run_name}}}});
  for (int rank = 0; rank < trace.header.ranks; ++rank) {
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", kPid},
                      {"tid", rank},
                      {"args", {{"name", fmt::format("rank {}", rank)}}}});
    events.push_back(
        {{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", kPid}, {"tid", rank}, {"args", {{"sort_index", rank}}}});
  }
  std::uint64_t flow_id = 0;
  for (const auto& record : trace.epochs) {
    const auto& first = record.phases.front();
    const auto& last = record.phases.back();
    const double begin = first.start, end = std::max(last.start + last.seconds, begin);
    for (int rank = 0; rank < trace.header.ranks; ++rank) {
      const auto& r = record.ranks[static_cast<std::size_t>(rank)];
      events.push_back({{"name", fmt::format("epoch {}", record.epoch)},
                        {"cat", "epoch"},
                        {"ph", "X"},
                        {"pid", kPid},
                        {"tid", rank},
                        {"ts", microseconds(begin)},
                        {"dur", microseconds(end - begin)},
                        {"args",
                         {{"trigger", trace::to_string(record.trigger)},
                          {"step", record.step},
                          {"predicted_load", r.predicted_load},
                          {"actual_load", r.actual_load},
                          {"shadow_hits", r.shadow_hits},
                          {"shadow_misses", r.shadow_misses}}}});
      for (std::size_t p = 0; p < trace::kPhaseCount; ++p)
        events.push_back({{"name", trace::to_string(static_cast<trace::Phase>(p))},
                          {"cat", "phase"},
                          {"ph", "X"},
                          {"pid", kPid},
                          {"tid", rank},
                          {"ts", microseconds(record.phases[p].start)},
                          {"dur", microseconds(record.phases[p].seconds)}});
      events.push_back({{"name", fmt::format("load rank {}", rank)},
                        {"ph", "C"},
                        {"pid", kPid},
                        {"ts", microseconds(begin)},
                        {"args", {{"predicted", r.predicted_load}, {"actual", r.actual_load}}}});
    }
    // Flow arrows bind to the enclosing slice at their timestamp: the move phase on each end.
    const auto& move = record.phase(trace::Phase::move);
    const double at = microseconds(move.start + move.seconds / 2);
    for (const auto& m : record.moves) {
      ++flow_id;
      const json args = {
          {"object", to_string(m.id)}, {"bytes", m.bytes}, {"reason", trace::to_string(m.reason)}, {"gain", m.gain}};
      events.push_back({{"name", "move"},
                        {"cat", "move"},
                        {"ph", "s"},
                        {"id", flow_id},
                        {"pid", kPid},
                        {"tid", m.from},
                        {"ts", at},
                        {"args", args}});
      events.push_back({{"name", "move"},
                        {"cat", "move"},
                        {"ph", "f"},
                        {"bp", "e"},
                        {"id", flow_id},
                        {"pid", kPid},
                        {"tid", m.to},
                        {"ts", at},
                        {"args", args}});
      events.push_back({{"name", fmt::format("send {} to rank {}", to_string(m.id), m.to)},
                        {"cat", "move"},
                        {"ph", "i"},
                        {"s", "t"},
                        {"pid", kPid},
                        {"tid", m.from},
                        {"ts", at},
                        {"args", args}});
    }
  }
  const json document = {{"traceEvents", std::move(events)},
                         {"displayTimeUnit", "ms"},
                         {"otherData",
                          {{"run_name", trace.header.run_name},
                           {"ranks", trace.header.ranks},
                           {"strategy", trace.header.strategy},
                           {"start_time", trace.header.start_time}}}};
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << document.dump() << '\n';
  out.flush();
  if (!out) throw Error(fmt::format("cannot write {}", file.string()));
}

}  // namespace penumbra::prof
