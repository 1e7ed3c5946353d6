// penumbra-prof export --otf2: an OTF2 archive (libotf2) for otf2-print and Vampir. One location per rank
// (grouped by node in the system tree), regions for the epoch and its five phases, and a metric class with
// each rank's predicted and actual load and the objects and bytes it sent, sampled at each epoch's start.
#include <fmt/format.h>
#include <otf2/otf2.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "commands.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::prof {
namespace {

void check(OTF2_ErrorCode code, const char* call) {
  if (code != OTF2_SUCCESS)
    throw Error(fmt::format("OTF2 export: {} failed: {} ({})", call, OTF2_Error_GetName(code),
                            OTF2_Error_GetDescription(code)));
}

// The archive is written from one process and needs no flush-time timestamps: flush whenever asked.
OTF2_FlushType pre_flush(void*, OTF2_FileType, OTF2_LocationRef, void*, bool) { return OTF2_FLUSH; }
OTF2_TimeStamp post_flush(void*, OTF2_FileType, OTF2_LocationRef) { return 0; }
OTF2_FlushCallbacks flush_callbacks{pre_flush, post_flush};

// Phase times are seconds since the run started; OTF2 wants integer ticks: nanoseconds.
constexpr double kTicksPerSecond = 1e9;
OTF2_TimeStamp ticks(double seconds) {
  return seconds > 0 ? static_cast<OTF2_TimeStamp>(std::llround(seconds * kTicksPerSecond)) : 0;
}

// Definitions refer to strings by index, and readers (otf2-print) need a string defined before the first
// record that refers to it: each string is written the first time it is asked for.
class StringTable {
 public:
  explicit StringTable(OTF2_GlobalDefWriter* writer) : writer_(writer) {}
  OTF2_StringRef operator()(const std::string& text) {
    auto found = refs_.find(text);
    if (found != refs_.end()) return found->second;
    const auto ref = static_cast<OTF2_StringRef>(refs_.size());
    check(OTF2_GlobalDefWriter_WriteString(writer_, ref, text.c_str()), "OTF2_GlobalDefWriter_WriteString");
    refs_.emplace(text, ref);
    return ref;
  }

 private:
  OTF2_GlobalDefWriter* writer_;
  std::map<std::string, OTF2_StringRef> refs_;
};

constexpr OTF2_RegionRef kEpochRegion = 0;  // phases are regions 1..kPhaseCount
constexpr OTF2_MetricRef kLoadMetric = 0;
constexpr std::uint8_t kMetricMembers = 4;

// Writes one rank's events. OTF2 requires non-decreasing timestamps and properly nested Enter/Leave per
// location, which a recorded epoch need not give (a background move may overlap the metadata phase, a clock
// may step), so every timestamp is clamped to the previous one and each phase ends where the next begins.
void write_rank_events(OTF2_EvtWriter* writer, const trace::Trace& trace, std::size_t rank) {
  OTF2_TimeStamp last = 0;
  const auto at = [&last](double seconds) { return last = std::max(last, ticks(seconds)); };
  for (const auto& record : trace.epochs) {
    std::array<std::size_t, trace::kPhaseCount> order{};
    std::iota(order.begin(), order.end(), 0);
    std::ranges::stable_sort(order, {}, [&](std::size_t p) { return record.phases[p].start; });
    double end = 0;
    for (const auto& phase : record.phases) end = std::max(end, phase.start + phase.seconds);

    const OTF2_TimeStamp begin = at(record.phases[order[0]].start);
    check(OTF2_EvtWriter_Enter(writer, nullptr, begin, kEpochRegion), "OTF2_EvtWriter_Enter");
    const auto& r = record.ranks[rank];
    double sent_objects = 0, sent_bytes = 0;
    for (const auto& move : record.moves)
      if (static_cast<std::size_t>(move.from) == rank) {
        sent_objects += 1;
        sent_bytes += static_cast<double>(move.bytes);
      }
    const OTF2_Type types[kMetricMembers] = {OTF2_TYPE_DOUBLE, OTF2_TYPE_DOUBLE, OTF2_TYPE_DOUBLE, OTF2_TYPE_DOUBLE};
    OTF2_MetricValue values[kMetricMembers];
    values[0].floating_point = r.predicted_load;
    values[1].floating_point = r.actual_load;
    values[2].floating_point = sent_objects;
    values[3].floating_point = sent_bytes;
    check(OTF2_EvtWriter_Metric(writer, nullptr, begin, kLoadMetric, kMetricMembers, types, values),
          "OTF2_EvtWriter_Metric");
    for (std::size_t i = 0; i < order.size(); ++i) {
      const auto& phase = record.phases[order[i]];
      const double phase_end = i + 1 < order.size()
                                   ? std::min(phase.start + phase.seconds, record.phases[order[i + 1]].start)
                                   : phase.start + phase.seconds;
      const auto region = static_cast<OTF2_RegionRef>(order[i] + 1);
      check(OTF2_EvtWriter_Enter(writer, nullptr, at(phase.start), region), "OTF2_EvtWriter_Enter");
      check(OTF2_EvtWriter_Leave(writer, nullptr, at(phase_end), region), "OTF2_EvtWriter_Leave");
    }
    check(OTF2_EvtWriter_Leave(writer, nullptr, at(end), kEpochRegion), "OTF2_EvtWriter_Leave");
  }
}

void write_definitions(OTF2_GlobalDefWriter* defs, const trace::Trace& trace, const std::vector<std::uint64_t>& events,
                       OTF2_TimeStamp length) {
  StringTable text(defs);
  check(OTF2_GlobalDefWriter_WriteClockProperties(defs, static_cast<std::uint64_t>(kTicksPerSecond), 0, length,
                                                  ticks(trace.header.start_unix_seconds)),
        "OTF2_GlobalDefWriter_WriteClockProperties");
  const auto empty = text("");
  const auto region = [&](OTF2_RegionRef id, const std::string& name, const std::string& description) {
    const auto name_ref = text(name);
    check(OTF2_GlobalDefWriter_WriteRegion(defs, id, name_ref, name_ref, text(description), OTF2_REGION_ROLE_CODE,
                                           OTF2_PARADIGM_USER, OTF2_REGION_FLAG_NONE, empty, 0, 0),
          "OTF2_GlobalDefWriter_WriteRegion");
  };
  region(kEpochRegion, "epoch", "one Penumbra rebalance epoch");
  for (std::size_t p = 0; p < trace::kPhaseCount; ++p) {
    const std::string name(trace::to_string(static_cast<trace::Phase>(p)));
    region(static_cast<OTF2_RegionRef>(p + 1), name, "epoch phase: " + name);
  }

  const std::array<std::pair<const char*, const char*>, kMetricMembers> members{
      {{"predicted_load", "s"}, {"actual_load", "s"}, {"objects_sent", "objects"}, {"bytes_sent", "bytes"}}};
  OTF2_MetricMemberRef member_refs[kMetricMembers];
  for (std::size_t m = 0; m < members.size(); ++m) {
    member_refs[m] = static_cast<OTF2_MetricMemberRef>(m);
    check(OTF2_GlobalDefWriter_WriteMetricMember(defs, member_refs[m], text(members[m].first), text(members[m].first),
                                                 OTF2_METRIC_TYPE_USER, OTF2_METRIC_ABSOLUTE_POINT, OTF2_TYPE_DOUBLE,
                                                 OTF2_BASE_DECIMAL, 0, text(members[m].second)),
          "OTF2_GlobalDefWriter_WriteMetricMember");
  }
  check(OTF2_GlobalDefWriter_WriteMetricClass(defs, kLoadMetric, kMetricMembers, member_refs, OTF2_METRIC_SYNCHRONOUS,
                                              OTF2_RECORDER_KIND_ABSTRACT),
        "OTF2_GlobalDefWriter_WriteMetricClass");

  // System tree: the run at the root, one child per node, each rank a process under its node.
  check(OTF2_GlobalDefWriter_WriteSystemTreeNode(defs, 0, text(trace.header.run_name), text("run"),
                                                 OTF2_UNDEFINED_SYSTEM_TREE_NODE),
        "OTF2_GlobalDefWriter_WriteSystemTreeNode");
  for (int node = 0; node < trace.header.nodes; ++node)
    check(OTF2_GlobalDefWriter_WriteSystemTreeNode(defs, static_cast<OTF2_SystemTreeNodeRef>(node + 1),
                                                   text(fmt::format("node {}", node)), text("node"), 0),
          "OTF2_GlobalDefWriter_WriteSystemTreeNode");
  for (int rank = 0; rank < trace.header.ranks; ++rank) {
    int node = 0;
    if (!trace.epochs.empty()) node = trace.epochs.front().input.ranks[static_cast<std::size_t>(rank)].node;
    node = std::clamp(node, 0, trace.header.nodes - 1);
    const auto group = static_cast<OTF2_LocationGroupRef>(rank);
    check(OTF2_GlobalDefWriter_WriteLocationGroup(
              defs, group, text(fmt::format("rank {}", rank)), OTF2_LOCATION_GROUP_TYPE_PROCESS,
              static_cast<OTF2_SystemTreeNodeRef>(node + 1), OTF2_UNDEFINED_LOCATION_GROUP),
          "OTF2_GlobalDefWriter_WriteLocationGroup");
    check(OTF2_GlobalDefWriter_WriteLocation(defs, static_cast<OTF2_LocationRef>(rank),
                                             text(fmt::format("rank {} epochs", rank)), OTF2_LOCATION_TYPE_CPU_THREAD,
                                             events[static_cast<std::size_t>(rank)], group),
          "OTF2_GlobalDefWriter_WriteLocation");
  }
}

}  // namespace

std::filesystem::path export_otf2(const trace::Trace& trace, const std::filesystem::path& dir) {
  const std::string name = trace.header.run_name;
  // libotf2 refuses to overwrite an archive; replace only the files this export itself would write.
  std::filesystem::remove(dir / (name + ".otf2"));
  std::filesystem::remove(dir / (name + ".def"));
  std::filesystem::remove_all(dir / name);
  std::filesystem::create_directories(dir);

  OTF2_Archive* archive = OTF2_Archive_Open(dir.c_str(), name.c_str(), OTF2_FILEMODE_WRITE, 1024 * 1024,
                                            4 * 1024 * 1024, OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE);
  if (archive == nullptr) throw Error(fmt::format("OTF2 export: cannot create an archive in {}", dir.string()));
  // Closes the archive on every path out, so an exception never leaves half-open files behind.
  struct Closer {
    OTF2_Archive* archive;
    ~Closer() { OTF2_Archive_Close(archive); }
  } closer{archive};
  check(OTF2_Archive_SetFlushCallbacks(archive, &flush_callbacks, nullptr), "OTF2_Archive_SetFlushCallbacks");
  check(OTF2_Archive_SetSerialCollectiveCallbacks(archive), "OTF2_Archive_SetSerialCollectiveCallbacks");
  check(OTF2_Archive_SetCreator(archive, "penumbra-prof"), "OTF2_Archive_SetCreator");
  check(OTF2_Archive_SetMachineName(archive, "penumbra"), "OTF2_Archive_SetMachineName");

  check(OTF2_Archive_OpenEvtFiles(archive), "OTF2_Archive_OpenEvtFiles");
  std::vector<std::uint64_t> events(static_cast<std::size_t>(trace.header.ranks));
  for (std::size_t rank = 0; rank < events.size(); ++rank) {
    OTF2_EvtWriter* writer = OTF2_Archive_GetEvtWriter(archive, static_cast<OTF2_LocationRef>(rank));
    if (writer == nullptr) throw Error("OTF2 export: OTF2_Archive_GetEvtWriter failed");
    write_rank_events(writer, trace, rank);
    check(OTF2_EvtWriter_GetNumberOfEvents(writer, &events[rank]), "OTF2_EvtWriter_GetNumberOfEvents");
    check(OTF2_Archive_CloseEvtWriter(archive, writer), "OTF2_Archive_CloseEvtWriter");
  }
  check(OTF2_Archive_CloseEvtFiles(archive), "OTF2_Archive_CloseEvtFiles");

  // Every location needs its (here empty) local definition file, or readers reject the archive.
  check(OTF2_Archive_OpenDefFiles(archive), "OTF2_Archive_OpenDefFiles");
  for (std::size_t rank = 0; rank < events.size(); ++rank) {
    OTF2_DefWriter* writer = OTF2_Archive_GetDefWriter(archive, static_cast<OTF2_LocationRef>(rank));
    if (writer == nullptr) throw Error("OTF2 export: OTF2_Archive_GetDefWriter failed");
    check(OTF2_Archive_CloseDefWriter(archive, writer), "OTF2_Archive_CloseDefWriter");
  }
  check(OTF2_Archive_CloseDefFiles(archive), "OTF2_Archive_CloseDefFiles");

  double end = 0;
  for (const auto& record : trace.epochs)
    for (const auto& phase : record.phases) end = std::max(end, phase.start + phase.seconds);
  OTF2_GlobalDefWriter* defs = OTF2_Archive_GetGlobalDefWriter(archive);
  if (defs == nullptr) throw Error("OTF2 export: OTF2_Archive_GetGlobalDefWriter failed");
  write_definitions(defs, trace, events, ticks(end) + 1);
  return dir / (name + ".otf2");
}

}  // namespace penumbra::prof
