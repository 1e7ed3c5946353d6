// penumbra-bench-monitor: what the LoadMonitor costs a task.
//
//   build/bin/penumbra-bench-monitor [--quick] [--json FILE]
//
// For tasks of 10, 50 and 200 us of busy arithmetic, blocks of tasks run alternately without the monitor
// (plain) and with it (monitored: measure_task on one of 64 objects, one record_access from one of 8 origin
// ranks per task, and reset_epoch every 1000 tasks, as a rank would do at epoch boundaries). Reported:
//   plain, monitored    microseconds per task, the fastest block of each (noise on a shared machine only
//                       ever adds time, so the minimum is the best estimate of each)
//   measured overhead   (monitored - plain) / plain
//   recording           nanoseconds per task of the recording alone (empty tasks), with the default reading
//                       sharing and with it off (cpu_share_gap_us = 0: two thread-CPU-clock calls per task)
//   recording / task    recording / task size: the overhead without the noise of the measured figure
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <penumbra/errors.hpp>
#include <penumbra/load.hpp>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Fixed work: `iterations` dependent multiply-adds. The start value differs per call and the result goes to a
// volatile, so the compiler can neither hoist the chain out of the task loop nor drop it.
double kernel(long iterations, long seed = 0) {
  double x = 1.0 + static_cast<double>(seed & 1023) * 1e-9;
  for (long i = 0; i < iterations; ++i) x = x * 0.999999 + 1e-6;
  volatile double sink = x;
  return sink;
}

// Iterations of kernel() that take `micros` microseconds on this machine (the best of several tries).
long calibrate(double micros) {
  const long probe = 200000;
  double best = 1e9;
  for (int i = 0; i < 7; ++i) {
    const auto start = Clock::now();
    kernel(probe, i);
    best = std::min(best, seconds_since(start));
  }
  return std::max(1L, static_cast<long>(std::llround(probe * micros * 1e-6 / best)));
}

struct Row {
  double task_us = 0.0;
  long tasks_per_block = 0;
  double plain_us = 0.0, monitored_us = 0.0;
  double recording_ns = 0.0, recording_unshared_ns = 0.0;
  double measured_overhead() const { return (monitored_us - plain_us) / plain_us; }
  double recording_overhead() const { return recording_ns * 1e-3 / task_us; }
};

// One block of `tasks` tasks; with a monitor, each task is measured and records one access.
double run_block(penumbra::LoadMonitor* monitor, long tasks, long iterations, long& counter) {
  const auto start = Clock::now();
  for (long i = 0; i < tasks; ++i, ++counter) {
    if (monitor == nullptr) {
      kernel(iterations, counter);
      continue;
    }
    const penumbra::ObjectId id{static_cast<std::uint64_t>(counter % 64)};
    {
      auto task = monitor->measure_task(id);
      kernel(iterations, counter);
      monitor->record_access(id, static_cast<int>(counter % 8), 64, counter % 4 == 0);
    }
    if (counter % 1000 == 999) (void)monitor->reset_epoch();
  }
  return seconds_since(start) * 1e6 / static_cast<double>(tasks);
}

penumbra::MonitorOptions options(double share_gap_us) {
  penumbra::MonitorOptions o;
  o.cpu_share_gap_us = share_gap_us;
  o.print_notice = false;
  return o;
}

Row measure(double task_us, int rounds, double block_seconds) {
  Row row;
  row.task_us = task_us;
  const long iterations = calibrate(task_us);
  row.tasks_per_block = std::max(10L, static_cast<long>(block_seconds * 1e6 / task_us));
  penumbra::LoadMonitor monitor(0, options(penumbra::MonitorOptions{}.cpu_share_gap_us));
  long counter = 0;
  row.plain_us = row.monitored_us = 1e300;
  run_block(nullptr, row.tasks_per_block, iterations, counter);  // warm up caches and frequency
  for (int r = 0; r < rounds; ++r) {
    row.plain_us = std::min(row.plain_us, run_block(nullptr, row.tasks_per_block, iterations, counter));
    row.monitored_us = std::min(row.monitored_us, run_block(&monitor, row.tasks_per_block, iterations, counter));
  }
  // The recording alone: empty tasks.
  penumbra::LoadMonitor unshared(0, options(0.0));
  const long empty_tasks = 200000;
  double best_shared = 1e300, best_unshared = 1e300;
  for (int r = 0; r < 5; ++r) {
    best_shared = std::min(best_shared, run_block(&monitor, empty_tasks, 0, counter));
    best_unshared = std::min(best_unshared, run_block(&unshared, empty_tasks, 0, counter));
  }
  const double kernel_alone = run_block(nullptr, empty_tasks, 0, counter);
  row.recording_ns = std::max(0.0, best_shared - kernel_alone) * 1e3;
  row.recording_unshared_ns = std::max(0.0, best_unshared - kernel_alone) * 1e3;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Penumbra load monitor overhead per task"};
  bool quick = false;
  std::string json_path;
  app.add_flag("--quick", quick, "fewer and shorter blocks (seconds)");
  app.add_option("--json", json_path, "write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  try {
    const int rounds = quick ? 7 : 31;
    const double block_seconds = quick ? 0.01 : 0.04;
    std::string source;
    {
      penumbra::LoadMonitor probe(0, options(2.0));
      source = probe.source();
    }
    std::vector<Row> rows;
    for (double task_us : {10.0, 50.0, 200.0}) rows.push_back(measure(task_us, rounds, block_seconds));

    fmt::print(
        "penumbra-bench-monitor: load source {}, {} rounds of plain/monitored blocks of ~{:.0f} ms, fastest "
        "block of each\n",
        source, rounds, block_seconds * 1e3);
    fmt::print("{:>8} {:>7} {:>10} {:>12} {:>10} {:>13} {:>15} {:>11}\n", "task us", "tasks", "plain us",
               "monitored us", "measured", "recording ns", "unshared rec ns", "rec / task");
    nlohmann::json json{{"benchmark", "penumbra-bench-monitor"}, {"source", source}, {"quick", quick}};
    json["rows"] = nlohmann::json::array();
    for (const Row& row : rows) {
      fmt::print("{:>8.0f} {:>7} {:>10.3f} {:>12.3f} {:>9.2f}% {:>13.0f} {:>15.0f} {:>10.2f}%\n", row.task_us,
                 row.tasks_per_block, row.plain_us, row.monitored_us, 100.0 * row.measured_overhead(), row.recording_ns,
                 row.recording_unshared_ns, 100.0 * row.recording_overhead());
      json["rows"].push_back({{"task_us", row.task_us},
                              {"tasks_per_block", row.tasks_per_block},
                              {"plain_us", row.plain_us},
                              {"monitored_us", row.monitored_us},
                              {"measured_overhead", row.measured_overhead()},
                              {"recording_ns", row.recording_ns},
                              {"recording_unshared_ns", row.recording_unshared_ns},
                              {"recording_overhead", row.recording_overhead()}});
    }
    const Row& fifty = rows[1];
    fmt::print("target <= 1% at 50 us: measured {:.2f}%, recording / task {:.2f}%: {}\n",
               100.0 * fifty.measured_overhead(), 100.0 * fifty.recording_overhead(),
               fifty.measured_overhead() <= 0.01 && fifty.recording_overhead() <= 0.01 ? "met" : "NOT met");
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      if (!out) throw penumbra::InvalidArgument(fmt::format("--json {}: cannot write", json_path));
      out << json.dump(2) << "\n";
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-bench-monitor: %s\n", error.what());
    return 1;
  }
  return 0;
}
