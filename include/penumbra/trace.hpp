#pragma once
/// @file trace.hpp
/// The epoch trace: one record per rebalance epoch (phase times, per-rank predicted and actual load, every
/// move, shadow and metadata activity, and the planner's full input and plan, enough to replay the decision
/// offline), written by rank 0 as JSON Lines. Format and versioning rule: docs/trace-format.md. Plain data
/// and file I/O only: no MPI here; the runtime gathers the per-rank parts before it calls TraceWriter.

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "penumbra/balance.hpp"

namespace penumbra {
struct Config;
}

namespace penumbra::trace {

/// The format version this build writes and the newest it reads. Bumped when a field is removed, renamed
/// or changes meaning; adding a field keeps it (readers ignore fields they do not know).
inline constexpr int kFormatVersion = 1;
/// The `format` value of every header line, so a reader can tell a trace from any other JSON Lines file.
inline constexpr std::string_view kFormatName = "penumbra-trace";
/// File name suffix: a trace is `<dir>/<run_name>` + this.
inline constexpr std::string_view kFileSuffix = ".penumbra-trace.jsonl";

/// Why an epoch ran.
enum class Trigger : std::uint8_t {
  periodic,   ///< every `balance.epoch_every` steps
  threshold,  ///< the load the strategy watches was over the threshold two steps running
  manual,     ///< the application called for it
};

/// The phases of one epoch, in the order they run (DESIGN.md, "How data flows").
enum class Phase : std::uint8_t { snapshot, predict, plan, move, metadata };
inline constexpr std::size_t kPhaseCount = 5;

/// One phase of one epoch.
struct PhaseTiming {
  double start = 0.0;    ///< seconds since the run started (RunHeader::start_unix_seconds)
  double seconds = 0.0;  ///< how long it took
};

/// What one rank did and measured in the interval that ended with this epoch.
struct RankRecord {
  double predicted_load = 0.0;         ///< forecast (seconds of work), made at the previous epoch, for this interval
  double actual_load = 0.0;            ///< seconds of work measured in this interval
  std::uint64_t shadow_hits = 0;       ///< reads served by a shadow held on this rank
  std::uint64_t shadow_misses = 0;     ///< reads that had to go to a remote copy or the owner
  std::uint64_t shadows_created = 0;   ///< shadows this rank started holding in this epoch
  std::uint64_t shadows_dropped = 0;   ///< shadows this rank stopped holding in this epoch
  std::uint64_t metadata_lookups = 0;  ///< metadata service lookups issued by this rank
  std::uint64_t metadata_updates = 0;  ///< metadata service updates issued by this rank
};

/// Everything recorded about one epoch.
struct EpochRecord {
  std::int64_t epoch = 0;  ///< as the runtime counts them (balance::EpochReport::epoch: 1 for the first)
  std::int64_t step = 0;   ///< application step (Runtime::step count) at which it ran
  Trigger trigger = Trigger::periodic;
  std::array<PhaseTiming, kPhaseCount> phases{};  ///< indexed by Phase
  std::vector<RankRecord> ranks;                  ///< index = rank; size = RunHeader::ranks
  /// Weighted absolute percentage error of the forecasts over the ranks, sum|predicted - actual| / sum actual
  /// (see prediction_error()); empty when there was no forecast yet (the first epoch).
  std::optional<double> prediction_error;
  std::vector<balance::PlannedMove> moves;  ///< the moves carried out (the plan's, less any that failed)
  double staleness_p50 = 0.0;               ///< versions a shadow read was behind its owner: median
  double staleness_p99 = 0.0;               ///< ... and 99th percentile
  balance::EpochInput input;                ///< what the strategy saw
  std::string strategy;                     ///< the strategy's name (balance::Strategy::name())
  balance::Plan plan;                       ///< what it decided

  /// The phase's timing.
  const PhaseTiming& phase(Phase p) const { return phases[static_cast<std::size_t>(p)]; }
  PhaseTiming& phase(Phase p) { return phases[static_cast<std::size_t>(p)]; }
};

/// The first line of a trace.
struct RunHeader {
  int format_version = kFormatVersion;
  std::string run_name;
  int ranks = 0;
  int nodes = 0;
  std::string strategy;                       ///< `balance.strategy`
  std::map<std::string, std::string> config;  ///< effective configuration, key -> value as TOML text
  std::string start_time;                     ///< ISO 8601 UTC, e.g. 2026-11-30T04:50:22Z
  double start_unix_seconds = 0.0;            ///< the same instant; phase starts are relative to it
};

/// A whole trace as read back.
struct Trace {
  RunHeader header;
  std::vector<EpochRecord> epochs;
};

/// Name of a trigger / phase / move reason as written in the file ("periodic", "snapshot", "overload"...).
std::string_view to_string(Trigger trigger) noexcept;
std::string_view to_string(Phase phase) noexcept;
std::string_view to_string(balance::MoveReason reason) noexcept;

/// sum|predicted - actual| / sum actual over the ranks (0 when every load is 0). InvalidLoad on a negative or
/// non-finite load.
double prediction_error(const std::vector<RankRecord>& ranks);

/// Every key of `config` with its value as TOML text (Config::to_string(), split), for RunHeader::config.
std::map<std::string, std::string> config_entries(const Config& config);

/// `seconds` since the Unix epoch as ISO 8601 UTC with whole seconds ("2026-11-30T04:50:22Z").
std::string iso8601_utc(double unix_seconds);

/// The run name used when `trace.run_name` is empty: `penumbra-<UTC start, 20261130T045022Z>-<pid>`.
std::string default_run_name(double start_unix_seconds, long pid);

/// The header of a run, for the runtime (rank 0): run name (`trace.run_name`, else default_run_name()),
/// `balance.strategy`, the effective configuration and the start time.
RunHeader run_header(const Config& config, int ranks, int nodes, double start_unix_seconds, long pid);

/// `<dir>/<run_name>.penumbra-trace.jsonl`.
std::filesystem::path trace_path(const std::filesystem::path& dir, std::string_view run_name);

/// Writes one trace file: the header at construction, then one line per append(), flushed each time so an
/// aborted run leaves every finished epoch readable. Used on rank 0 only; holds no MPI.
class TraceWriter {
 public:
  /// Creates `dir` if needed and opens trace_path(dir, header.run_name) (replacing an older file of that
  /// name). TraceError naming the file when it cannot be created or written; InvalidArgument on an empty
  /// run name.
  TraceWriter(const std::filesystem::path& dir, RunHeader header);
  /// Appends one epoch line and flushes. TraceError naming the file and line when the write fails;
  /// InvalidArgument when `record.ranks` does not have one entry per rank of the header.
  void append(const EpochRecord& record);

  const std::filesystem::path& path() const noexcept { return path_; }
  const RunHeader& header() const noexcept { return header_; }
  /// Epoch lines written so far.
  std::size_t epochs_written() const noexcept { return epochs_written_; }

 private:
  void write_line(const std::string& line);

  std::filesystem::path path_;
  RunHeader header_;
  std::ofstream out_;
  std::size_t epochs_written_ = 0;
};

/// Called while a trace is read: bytes consumed so far and the file's size.
using ReadProgress = std::function<void(std::uint64_t bytes_read, std::uint64_t total_bytes)>;

/// Reads a whole trace. TraceError naming the file, the line and the field for anything malformed: a file
/// that cannot be opened, a truncated or non-JSON line, a missing or mistyped field, an unknown enum word,
/// a version newer than kFormatVersion, a rank vector whose size differs from the header's rank count.
Trace read_trace(const std::filesystem::path& path, const ReadProgress& progress = {});

}  // namespace penumbra::trace
