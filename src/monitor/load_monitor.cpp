#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <penumbra/errors.hpp>
#include <penumbra/load.hpp>
#include <unordered_map>

#include "core/validate.hpp"
#include "monitor/counter_set.hpp"
#include "monitor/papi_probe.hpp"

namespace penumbra {
namespace {

using Nanoseconds = std::int64_t;

Nanoseconds wall_now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The calling thread's CPU time. A system call (~0.2 us measured on our VMs, against 18 ns for the vDSO
// steady clock), which is why back-to-back tasks share readings (MonitorOptions::cpu_share_gap_us).
Nanoseconds thread_cpu_now() noexcept {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<Nanoseconds>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

double seconds(Nanoseconds ns) { return static_cast<double>(ns) * 1e-9; }

CounterTotals difference(const CounterTotals& end, const CounterTotals& start) noexcept {
  // Counters only grow; a wrap or a failed read (zeros) must not produce a huge unsigned value.
  auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : 0; };
  return {minus(end.instructions, start.instructions), minus(end.cycles, start.cycles),
          minus(end.cache_misses, start.cache_misses)};
}

void add(CounterTotals& into, const CounterTotals& value, std::uint64_t divisor) noexcept {
  into.instructions += value.instructions / divisor;
  into.cycles += value.cycles / divisor;
  into.cache_misses += value.cache_misses / divisor;
}

// An object's entry holds the snapshot record itself, so a snapshot is a copy. Its accesses are a small
// vector searched linearly: few origins per object in practice (its owner and the ranks that read it), where
// a linear search beats a hash map and keeps record_access cheap.
bool has_epoch_data(const ObjectLoad& load) noexcept { return load.tasks > 0 || !load.accesses.empty(); }

void clear_epoch(ObjectLoad& load) noexcept {
  load.tasks = 0;
  load.wall_seconds = load.cpu_seconds = 0.0;
  load.counters = {};
  load.accesses.clear();
}

// Enqueued and dequeued costs are added and subtracted in different orders; when a queue empties, its
// cost is exactly 0 again instead of a rounding residue.
void settle(std::uint64_t tasks, double& cost) noexcept {
  if (tasks == 0 || cost < 0.0) cost = 0.0;
}

}  // namespace

void MonitorOptions::validate() const {
  if (counters != "auto" && counters != "papi" && counters != "timers")
    throw ConfigError("monitor.counters", counters, "one of auto, papi, timers");
  check::in_range("monitor.cpu_share_gap_us", cpu_share_gap_us, 0.0, 1000.0);
}

std::uint64_t ObjectLoad::total_accesses() const noexcept {
  std::uint64_t total = 0;
  for (const auto& a : accesses) total += a.accesses();
  return total;
}

std::uint64_t ObjectLoad::total_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const auto& a : accesses) total += a.bytes();
  return total;
}

struct LoadMonitor::State {
  MonitorOptions options;
  std::string source, notice;
  std::unique_ptr<monitor::CounterSet> counters;  // null under "timers"

  std::uint64_t epoch = 0;
  Nanoseconds epoch_start = 0;

  // The task being measured.
  bool in_task = false;
  std::vector<ObjectId> task_objects;  // reused: no allocation per task once warm
  Nanoseconds task_wall_start = 0, task_cpu_start = 0;
  double task_wait_seconds = 0.0;  // blocked on other ranks inside the current task (record_wait)
  CounterTotals task_counters_start;

  // The last task's end readings, which the next task may share (see cpu_share_gap_us).
  bool have_last_end = false;
  Nanoseconds last_end_wall = 0, last_end_cpu = 0;
  CounterTotals last_end_counters;
  Nanoseconds share_gap = 0;

  // The epoch's figures, in the snapshot's own records (the queue fields carry over epochs).
  RankLoad rank_load;
  std::unordered_map<ObjectId, ObjectLoad> objects;
  // Reads counted by their readers (read_tally): node-based, so the references handed out stay valid.
  std::unordered_map<ObjectId, ReadTally> tallies;

  ObjectLoad& object(ObjectId id) {
    ObjectLoad& load = objects[id];
    load.id = id;
    return load;
  }

  CounterTotals read_counters() const noexcept { return counters ? counters->read() : CounterTotals{}; }

  void charge(std::span<const ObjectId> ids, double wall, double cpu, const CounterTotals& counted) {
    rank_load.busy_seconds += wall;
    rank_load.busy_cpu_seconds += cpu;
    ++rank_load.tasks;
    add(rank_load.counters, counted, 1);
    if (ids.empty()) return;
    const double share = 1.0 / static_cast<double>(ids.size());
    for (ObjectId id : ids) {
      ObjectLoad& load = object(id);
      ++load.tasks;
      load.wall_seconds += wall * share;
      load.cpu_seconds += cpu * share;
      add(load.counters, counted, ids.size());
    }
  }

  void queue_change(double cost, std::span<const ObjectId> ids, bool enqueue) {
    check::finite_non_negative(enqueue ? "enqueued task cost" : "dequeued task cost", cost);
    if (!enqueue) {
      if (rank_load.queued_tasks == 0) throw InvalidArgument("record_dequeued: the queue of this rank is empty");
      for (ObjectId id : ids) {
        auto found = objects.find(id);
        if (found == objects.end() || found->second.queued_tasks == 0)
          throw InvalidArgument(fmt::format("record_dequeued: no queued task on object {}", to_string(id)));
      }
    }
    const double sign = enqueue ? 1.0 : -1.0;
    if (enqueue) {
      ++rank_load.queued_tasks;
      ++rank_load.enqueued_tasks;
    } else {
      --rank_load.queued_tasks;
      ++rank_load.dequeued_tasks;
    }
    rank_load.queued_cost += sign * cost;
    settle(rank_load.queued_tasks, rank_load.queued_cost);
    const double share = ids.empty() ? 0.0 : cost / static_cast<double>(ids.size());
    for (ObjectId id : ids) {
      ObjectLoad& load = object(id);
      if (enqueue)
        ++load.queued_tasks;
      else if (load.queued_tasks > 0)  // an id named twice in one call was checked once above
        --load.queued_tasks;
      load.queued_cost += sign * share;
      settle(load.queued_tasks, load.queued_cost);
    }
  }
};

TaskScope::TaskScope(TaskScope&& other) noexcept : monitor_(other.monitor_) { other.monitor_ = nullptr; }

TaskScope::~TaskScope() { finish(); }

void TaskScope::finish() noexcept {
  if (monitor_ == nullptr) return;
  monitor_->end_task();
  monitor_ = nullptr;
}

LoadMonitor::LoadMonitor(int rank, MonitorOptions options) : state_(std::make_unique<State>()) {
  if (rank < 0) throw InvalidArgument(fmt::format("LoadMonitor: rank = {} (expected >= 0)", rank));
  options.validate();
  State& s = *state_;
  s.rank_load.rank = rank;
  s.options = std::move(options);
  s.share_gap = static_cast<Nanoseconds>(s.options.cpu_share_gap_us * 1000.0);
  if (s.options.counters == "timers") {
    s.source = "timers";
    s.notice = "load source: timers (monitor.counters = timers)";
  } else {
    const monitor::CounterSupport support = monitor::probe_papi();
    auto counters = std::make_unique<monitor::CounterSet>(support.usable_events);
    if (counters->active()) {
      s.source = "papi";
      s.notice = fmt::format("load source: papi ({}) and timers", fmt::join(counters->events(), ", "));
      s.counters = std::move(counters);
    } else if (s.options.counters == "papi") {
      throw ConfigError("monitor.counters", "papi",
                        "auto or timers: this node has no usable counters (" + support.note + ")");
    } else {
      s.source = "timers";
      s.notice = "load source: timers (" + support.note + ")";
    }
  }
  if (s.options.print_notice) {
    static std::once_flag printed;
    std::call_once(printed, [&] { std::fprintf(stderr, "penumbra: %s\n", s.notice.c_str()); });
  }
  s.epoch_start = wall_now();
}

LoadMonitor::~LoadMonitor() = default;

const std::string& LoadMonitor::source() const noexcept { return state_->source; }
const std::string& LoadMonitor::notice() const noexcept { return state_->notice; }

TaskScope LoadMonitor::measure_task(std::span<const ObjectId> objects) {
  State& s = *state_;
  if (s.in_task)
    throw InvalidArgument("measure_task: a task is already being measured on this monitor (tasks do not nest)");
  s.task_objects.assign(objects.begin(), objects.end());
  s.in_task = true;
  s.task_wait_seconds = 0.0;
  const Nanoseconds wall = wall_now();
  if (s.have_last_end && s.share_gap > 0 && wall - s.last_end_wall < s.share_gap) {
    // Back to back with the previous task: its end readings are our start, for wall time too, so the
    // task's wall and CPU intervals stay the same interval (the gap, under share_gap, counts as this task's).
    s.task_wall_start = s.last_end_wall;
    s.task_cpu_start = s.last_end_cpu;
    s.task_counters_start = s.last_end_counters;
  } else {
    s.task_counters_start = s.read_counters();
    s.task_cpu_start = thread_cpu_now();
    s.task_wall_start = wall_now();
  }
  return TaskScope(this);
}

TaskScope LoadMonitor::measure_task(std::initializer_list<ObjectId> objects) {
  return measure_task(std::span<const ObjectId>(objects.begin(), objects.size()));
}

TaskScope LoadMonitor::measure_task(ObjectId object) { return measure_task(std::span<const ObjectId>(&object, 1)); }

void LoadMonitor::end_task() noexcept {
  State& s = *state_;
  const CounterTotals counters = s.read_counters();
  const Nanoseconds cpu = thread_cpu_now();
  const Nanoseconds wall = wall_now();
  // Time blocked on other ranks is where the data is, not what the objects cost: a remote neighbour made a
  // task measure 1.5-2x its work (docs/rebalance.md), which no placement of the work alone can balance.
  const double wall_seconds = std::max(0.0, seconds(wall - s.task_wall_start) - s.task_wait_seconds);
  s.charge(s.task_objects, wall_seconds, seconds(cpu - s.task_cpu_start), difference(counters, s.task_counters_start));
  s.have_last_end = true;
  s.last_end_wall = wall;
  s.last_end_cpu = cpu;
  s.last_end_counters = counters;
  s.in_task = false;
}

void LoadMonitor::record_task(std::span<const ObjectId> objects, double wall_seconds, double cpu_seconds) {
  check::finite_non_negative("task wall_seconds", wall_seconds);
  check::finite_non_negative("task cpu_seconds", cpu_seconds);
  state_->charge(objects, wall_seconds, cpu_seconds, {});
}

void LoadMonitor::record_wait(double seconds_blocked) noexcept {
  if (state_->in_task && seconds_blocked > 0.0 && std::isfinite(seconds_blocked))
    state_->task_wait_seconds += seconds_blocked;
}

void LoadMonitor::record_access(ObjectId object, int origin_rank, std::uint64_t bytes, bool is_write) {
  if (origin_rank < 0)
    throw InvalidArgument(fmt::format("record_access: origin_rank = {} (expected a rank >= 0)", origin_rank));
  auto& accesses = state_->object(object).accesses;
  auto found = std::ranges::find(accesses, origin_rank, &AccessCounts::origin_rank);
  if (found == accesses.end()) found = accesses.insert(found, AccessCounts{origin_rank, 0, 0, 0, 0});
  if (is_write) {
    ++found->writes;
    found->bytes_written += bytes;
  } else {
    ++found->reads;
    found->bytes_read += bytes;
  }
}

ReadTally& LoadMonitor::read_tally(ObjectId object) { return state_->tallies[object]; }

void LoadMonitor::record_enqueued(double cost_seconds, std::span<const ObjectId> objects) {
  state_->queue_change(cost_seconds, objects, true);
}

void LoadMonitor::record_dequeued(double cost_seconds, std::span<const ObjectId> objects) {
  state_->queue_change(cost_seconds, objects, false);
}

LoadSnapshot LoadMonitor::snapshot() const {
  const State& s = *state_;
  LoadSnapshot snap;
  snap.epoch = s.epoch;
  snap.source = s.source;
  if (s.counters) snap.counters = s.counters->events();
  snap.rank = s.rank_load;
  snap.rank.epoch_seconds = seconds(wall_now() - s.epoch_start);
  snap.rank.idle_seconds = std::max(0.0, snap.rank.epoch_seconds - snap.rank.busy_seconds);
  snap.objects.reserve(s.objects.size());
  for (const auto& [id, load] : s.objects) {
    if (!has_epoch_data(load) && load.queued_tasks == 0) continue;
    snap.objects.push_back(load);
  }
  std::ranges::sort(snap.objects, {}, &ObjectLoad::id);
  // Readers' tallies join the accesses from this rank, as if each read had called record_access.
  for (const auto& [id, tally] : s.tallies) {
    if (tally.reads == 0) continue;
    auto object = std::ranges::lower_bound(snap.objects, id, {}, &ObjectLoad::id);
    if (object == snap.objects.end() || object->id != id) {
      object = snap.objects.insert(object, ObjectLoad{});
      object->id = id;
    }
    auto from_here = std::ranges::find(object->accesses, s.rank_load.rank, &AccessCounts::origin_rank);
    if (from_here == object->accesses.end())
      from_here = object->accesses.insert(from_here, AccessCounts{s.rank_load.rank, 0, 0, 0, 0});
    from_here->reads += tally.reads;
    from_here->bytes_read += tally.bytes;
  }
  for (ObjectLoad& object : snap.objects) std::ranges::sort(object.accesses, {}, &AccessCounts::origin_rank);
  return snap;
}

LoadSnapshot LoadMonitor::reset_epoch() {
  LoadSnapshot closed = snapshot();
  State& s = *state_;
  ++s.epoch;
  s.epoch_start = wall_now();
  RankLoad& rank = s.rank_load;
  rank.busy_seconds = rank.busy_cpu_seconds = 0.0;
  rank.tasks = 0;
  rank.counters = {};
  rank.enqueued_tasks = rank.dequeued_tasks = 0;
  for (auto& [id, tally] : s.tallies) tally = {};  // folded into `closed`; the entries stay (readers hold them)
  // Objects with queued work stay (their queue carries over); the others are forgotten until touched again.
  for (auto it = s.objects.begin(); it != s.objects.end();) {
    if (it->second.queued_tasks == 0) {
      it = s.objects.erase(it);
    } else {
      clear_epoch(it->second);
      ++it;
    }
  }
  return closed;
}

}  // namespace penumbra
