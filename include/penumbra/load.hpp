#pragma once
/// @file load.hpp
/// Load monitoring: what each task and each object cost on this rank, how busy the rank was, what work is
/// queued, and who accessed which object. The monitor records as things happen and hands out plain
/// snapshots (`LoadSnapshot`), which the predictor and the affinity calculator consume. No MPI here.
///
/// Threading: a LoadMonitor belongs to one thread, the one that constructs it and runs the measured tasks.
/// The thread CPU clock and a PAPI event set both count the calling thread only, so a monitor shared by
/// threads would measure the wrong thread; it takes no locks, so that the hot path stays a few clock reads.
/// A multi-threaded rank keeps one monitor per worker thread and adds their snapshots.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra {

/// Options of a LoadMonitor. Config keys (to be wired into Config): `monitor.counters`,
/// `monitor.cpu_share_gap_us`.
struct MonitorOptions {
  /// Which load source to use: "auto" (PAPI hardware counters where the node has them, else timers),
  /// "papi" (counters required: ConfigError where there are none) or "timers" (never touch PAPI).
  std::string counters = "auto";
  /// Back-to-back tasks share readings: when a task starts less than this many microseconds after the
  /// previous one ended, the previous end readings (wall, thread CPU, counters) are its start readings, so
  /// the gap (shorter than this) is charged to the new task. Reading the thread CPU clock is a system call
  /// (~0.2 us on our VMs, against ~0.02 us for the wall clock), so sharing halves the monitor's cost per task.
  /// 0 disables sharing. Range [0, 1000].
  double cpu_share_gap_us = 2.0;
  /// Print the one-line notice (load source, and why timers were chosen) to stderr once per process.
  bool print_notice = true;

  /// Throws ConfigError naming the key (`monitor.counters`, ...), the value and what is allowed.
  void validate() const;

  bool operator==(const MonitorOptions&) const = default;
};

/// Accesses to one object from one origin rank during an epoch.
/// Reads counted by their reader and folded into the monitor's snapshots (LoadMonitor::read_tally).
struct ReadTally {
  std::uint64_t reads = 0;
  std::uint64_t bytes = 0;
};

struct AccessCounts {
  int origin_rank = 0;              ///< the rank the accesses came from (this rank for local ones)
  std::uint64_t reads = 0;          ///< read accesses
  std::uint64_t writes = 0;         ///< write accesses
  std::uint64_t bytes_read = 0;     ///< bytes the reads transferred
  std::uint64_t bytes_written = 0;  ///< bytes the writes transferred

  /// reads + writes.
  std::uint64_t accesses() const noexcept { return reads + writes; }
  /// bytes_read + bytes_written.
  std::uint64_t bytes() const noexcept { return bytes_read + bytes_written; }
};

/// Hardware counter totals. All zero when the load source is "timers".
struct CounterTotals {
  std::uint64_t instructions = 0;  ///< PAPI_TOT_INS
  std::uint64_t cycles = 0;        ///< PAPI_TOT_CYC
  std::uint64_t cache_misses = 0;  ///< last-level cache misses (PAPI_L3_TCM, else PAPI_L2_TCM)
};

/// One object's load during an epoch. A task measured on k objects charges each of them 1/k of its wall
/// time, CPU time and counters (we cannot see inside a task which object used what).
struct ObjectLoad {
  ObjectId id;                         ///< the object
  std::uint64_t tasks = 0;             ///< measured tasks that named this object
  double wall_seconds = 0.0;           ///< this object's share of those tasks' wall time
  double cpu_seconds = 0.0;            ///< its share of their thread CPU time
  CounterTotals counters;              ///< its share of their counters (rounded down)
  std::uint64_t queued_tasks = 0;      ///< tasks naming this object waiting in the queue at snapshot time
  double queued_cost = 0.0;            ///< their share of the queued cost hints, seconds
  std::vector<AccessCounts> accesses;  ///< by origin rank, ascending

  /// Sum of accesses over all origins.
  std::uint64_t total_accesses() const noexcept;
  /// Sum of bytes over all origins.
  std::uint64_t total_bytes() const noexcept;
};

/// The rank's load during an epoch.
struct RankLoad {
  int rank = 0;                   ///< the monitor's rank
  double epoch_seconds = 0.0;     ///< wall time since the epoch began (reset_epoch or construction)
  double busy_seconds = 0.0;      ///< wall time inside measured tasks
  double busy_cpu_seconds = 0.0;  ///< thread CPU time inside measured tasks
  /// epoch_seconds - busy_seconds: time this rank did not spend in a measured task (waiting, communicating,
  /// runtime work). Clamped at 0.
  double idle_seconds = 0.0;
  std::uint64_t tasks = 0;           ///< measured tasks
  CounterTotals counters;            ///< over all measured tasks
  std::uint64_t queued_tasks = 0;    ///< tasks waiting at snapshot time
  double queued_cost = 0.0;          ///< sum of their cost hints, seconds
  std::uint64_t enqueued_tasks = 0;  ///< tasks enqueued during the epoch
  std::uint64_t dequeued_tasks = 0;  ///< tasks dequeued during the epoch
};

/// Everything the monitor saw in one epoch, as plain data.
struct LoadSnapshot {
  std::uint64_t epoch = 0;            ///< 0 for the first epoch, +1 at each reset_epoch
  std::string source;                 ///< "papi" or "timers"
  std::vector<std::string> counters;  ///< the PAPI presets in use (empty under "timers")
  RankLoad rank;                      ///< the rank's figures
  std::vector<ObjectLoad> objects;    ///< by id, ascending; objects with a task, an access or queued work
};

class LoadMonitor;

/// RAII measurement of one task: started by LoadMonitor::measure_task, charged when destroyed (or at
/// finish()). Move-only; must not outlive its monitor.
class [[nodiscard]] TaskScope {
 public:
  /// Takes over `other`'s measurement (`other` then measures nothing).
  TaskScope(TaskScope&& other) noexcept;
  TaskScope& operator=(TaskScope&&) = delete;
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;
  /// Ends the measurement (finish()).
  ~TaskScope();
  /// Ends the measurement now (idempotent).
  void finish() noexcept;

 private:
  friend class LoadMonitor;
  explicit TaskScope(LoadMonitor* monitor) noexcept : monitor_(monitor) {}
  LoadMonitor* monitor_;
};

/// Per-rank load monitor. See the file comment for the threading rule.
class LoadMonitor {
 public:
  /// `rank` (>= 0, else InvalidArgument) is recorded in snapshots. Chooses the load source (options.counters),
  /// validates the options (ConfigError) and prints the source notice once per process.
  explicit LoadMonitor(int rank, MonitorOptions options = {});
  /// Stops the counters (if any). No TaskScope of this monitor may outlive it.
  ~LoadMonitor();
  LoadMonitor(const LoadMonitor&) = delete;
  LoadMonitor& operator=(const LoadMonitor&) = delete;

  /// "papi" or "timers".
  const std::string& source() const noexcept;
  /// One line describing the source, e.g. "load source: timers (PAPI 7.0.0: no usable hardware counters...)".
  const std::string& notice() const noexcept;

  /// Starts measuring a task on `objects` (may be empty: the task counts for the rank only). Tasks do not
  /// nest: starting one while another is measured throws InvalidArgument. The ids are copied.
  TaskScope measure_task(std::span<const ObjectId> objects = {});
  /// As above, for `measure_task({a, b})`.
  TaskScope measure_task(std::initializer_list<ObjectId> objects);
  /// As above, for one object.
  TaskScope measure_task(ObjectId object);

  /// Charges a task measured elsewhere (a replay, a scheduler that times itself): wall and CPU seconds,
  /// split over `objects` like a measured task. Throws InvalidLoad on a negative or non-finite time.
  void record_task(std::span<const ObjectId> objects, double wall_seconds, double cpu_seconds);

  /// The task being measured spent `seconds` blocked on another rank (a remote read or write): its wall time
  /// is charged without it, since where the data lives is not what the objects cost (the affinity and the
  /// migration cost model that). Outside a task, or for a negative or non-finite time, nothing happens.
  void record_wait(double seconds) noexcept;

  /// An access to `object` from `origin_rank` (this rank for local accesses) of `bytes` bytes.
  /// Throws InvalidArgument on a negative origin rank.
  void record_access(ObjectId object, int origin_rank, std::uint64_t bytes, bool is_write);
  /// Reads of `object` by this rank counted outside the monitor, by a reader that cannot afford a call per
  /// read (penumbra::ReadHandle adds to it on every read): plain counters that every snapshot() adds to the
  /// object's accesses from this rank, and that reset_epoch() clears. The reference stays valid for the
  /// monitor's life (one entry per object ever asked for).
  ReadTally& read_tally(ObjectId object);

  /// A task entered this rank's queue with an estimated cost in seconds (the same unit as measured time),
  /// on `objects` (the cost is split over them). Throws InvalidLoad on a negative or non-finite cost.
  void record_enqueued(double cost_seconds, std::span<const ObjectId> objects = {});
  /// A task left the queue (to run, or cancelled): pass the cost hint and objects given to record_enqueued.
  /// Throws InvalidArgument when the queue (or an object's queue) has no task to remove.
  void record_dequeued(double cost_seconds, std::span<const ObjectId> objects = {});

  /// What the current epoch has recorded so far.
  LoadSnapshot snapshot() const;
  /// Closes the current epoch and starts the next: returns the closed epoch's snapshot, then clears the
  /// per-epoch figures (costs, accesses, busy time). Queued work carries over: it is still waiting.
  LoadSnapshot reset_epoch();

 private:
  friend class TaskScope;
  void end_task() noexcept;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace penumbra
