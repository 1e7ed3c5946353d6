#include "rebalance_mpi.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/prctl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <penumbra/penumbra.hpp>
#include <random>
#include <thread>
#include <unordered_map>

#include "load_patterns.hpp"

namespace penumbra::bench {
namespace {

// Trivially copyable (read and moved as its own bytes): halo reads and moves cost what the object's size does.
template <std::size_t Bytes>
struct Payload {
  std::int64_t step;
  std::array<double, Bytes / sizeof(double) - 1> cells;
};

std::string object_name(int index) { return "bench-rebalance/" + std::to_string(index); }

void do_work(double seconds, bool spin) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  if (!spin) {
    std::this_thread::sleep_until(until);
    return;
  }
  volatile double sink = 0.0;
  while (std::chrono::steady_clock::now() < until) sink = sink + 1.0;
}

// Neighbours of object i: ring (i +- 1) or the 2-D mesh of a near-square grid.
std::vector<int> neighbours_of(int index, int objects, const std::string& topology) {
  if (topology == "ring") return {(index + objects - 1) % objects, (index + 1) % objects};
  const int width = std::max(1, static_cast<int>(std::lround(std::sqrt(objects))));
  std::vector<int> result;
  const int x = index % width, y = index / width;
  if (x > 0) result.push_back(index - 1);
  if (x + 1 < width && index + 1 < objects) result.push_back(index + 1);
  if (y > 0) result.push_back(index - width);
  if (index + width < objects) result.push_back(index + width);
  return result;
}

double max_over_ranks(MPI_Comm comm, double value) {
  double result = 0.0;
  MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, comm);
  return result;
}

InvalidArgument unknown_object_size(int kib) {
  return InvalidArgument(fmt::format("--object-kib: {} (expected {})", kib, fmt::join(kObjectKibChoices, ", ")));
}

template <typename Block>
MpiStrategyResult run_strategy_with(MPI_Comm comm, const MpiRebalanceOptions& options, const std::string& name,
                                    const std::vector<Series>& work) {
  const auto [strategy, overlap] = variant_of(name);
  Config config = Config::load();
  config.balance.strategy = strategy;
  config.balance.overlap_moves = overlap;
  config.balance.epoch_every = options.epoch_every;
  config.balance.horizon = options.epoch_every;
  config.monitor.print_notice = false;
  Runtime rt(comm, config);
  const int objects = static_cast<int>(work.size());

  std::unordered_map<ObjectId, int> index_of;
  std::vector<std::string> names;
  for (int i = 0; i < objects; ++i) {
    names.push_back(object_name(i));
    index_of[ObjectRef(names.back()).id()] = i;
  }
  for (int i = rt.rank(); i < objects; i += rt.size()) rt.create(names[i], Block{});
  rt.barrier();
  std::vector<Move> blocks;  // contiguous blocks: the start every strategy shares
  for (ObjectId id : rt.local_objects())
    blocks.push_back({id, static_cast<int>(static_cast<long>(index_of.at(id)) * rt.size() / objects)});
  rt.migrate(blocks);
  std::vector<std::vector<int>> neighbours(static_cast<std::size_t>(objects));
  for (int i = 0; i < objects; ++i) {
    neighbours[i] = neighbours_of(i, objects, options.topology);
    if (rt.rank() == 0)
      for (int j : neighbours[i])
        if (i < j) rt.declare_dependency(names[i], names[j], 2.0 * sizeof(Block));
  }
  rt.barrier();

  std::vector<double> busy_and_work;  // per step: this rank's task time, then its objects' declared work
  const auto started = std::chrono::steady_clock::now();
  auto first_epoch_done = started;
  for (int step = 0; step < options.steps; ++step) {
    double busy = 0.0, declared = 0.0;
    for (ObjectId id : rt.local_objects()) {
      const int i = index_of.at(id);
      declared += work[i][step] * options.work_scale;
      const auto task_start = std::chrono::steady_clock::now();
      {
        auto measured = rt.monitor().measure_task(id);
        Block mine = rt.read<Block>(id).value;
        for (int j : neighbours[i]) mine.cells[0] += 1e-9 * rt.read<Block>(names[j]).value.cells[0];
        do_work(work[i][step] * options.work_scale, options.spin);
        mine.step = step;
        rt.write(id, mine);
      }
      busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - task_start).count();
    }
    // Every strategy declares the true next-epoch cost; only the oracle plans on it (and its trigger watches it).
    // The others carry it in their snapshots, so `penumbra-prof replay` can judge any recorded plan, and the
    // forecast it was made on, by what came next.
    for (ObjectId id : rt.local_objects()) {
      const int i = index_of.at(id);
      double sum = 0.0;
      for (int ahead = 1; ahead <= options.epoch_every; ++ahead) sum += work[i][step + ahead];
      rt.declare_next_cost(id, sum / options.epoch_every * options.work_scale);
    }
    busy_and_work.push_back(busy);
    busy_and_work.push_back(declared);
    rt.step();
    // Every strategy's first epoch is at the same step (the period), so all steady states start together.
    if (step + 1 == options.epoch_every) first_epoch_done = std::chrono::steady_clock::now();
  }
  rt.barrier();
  MpiStrategyResult result;
  result.name = name;
  const auto finished = std::chrono::steady_clock::now();
  result.total_s = std::chrono::duration<double>(finished - started).count();
  const int steady_steps = options.steps - options.epoch_every;
  result.steady_s_per_step = steady_steps > 0
                                 ? std::chrono::duration<double>(finished - first_epoch_done).count() / steady_steps
                                 : result.total_s / options.steps;
  rt.check_invariants();

  // Where the time went. Every step ends in rt.step()'s allreduce, so the slowest rank's tasks set each step's
  // length: total = sum over steps of (mean work + mean in-task excess + (max - mean) busy) + time outside tasks.
  const std::size_t steps = busy_and_work.size() / 2;
  const std::size_t ranks = static_cast<std::size_t>(rt.size());
  std::vector<double> all(busy_and_work.size() * ranks);
  MPI_Allgather(busy_and_work.data(), static_cast<int>(busy_and_work.size()), MPI_DOUBLE, all.data(),
                static_cast<int>(busy_and_work.size()), MPI_DOUBLE, comm);
  double sum_of_ratios = 0.0, busiest_sum = 0.0;
  result.max_imbalance = 1.0;
  for (std::size_t s = 0; s < steps; ++s) {
    double max = 0.0, sum = 0.0, work_sum = 0.0;
    for (std::size_t r = 0; r < ranks; ++r) {
      const double busy = all[(r * steps + s) * 2];
      max = std::max(max, busy);
      sum += busy;
      work_sum += all[(r * steps + s) * 2 + 1];
    }
    const double mean = sum / static_cast<double>(ranks);
    const double ratio = sum > 0.0 ? max / mean : 1.0;
    sum_of_ratios += ratio;
    result.max_imbalance = std::max(result.max_imbalance, ratio);
    busiest_sum += max;
    result.time.imbalance_s += max - mean;
    result.time.task_excess_s += mean - work_sum / static_cast<double>(ranks);
  }
  result.mean_imbalance = sum_of_ratios / static_cast<double>(steps);
  result.time.outside_tasks_s = result.total_s - busiest_sum;

  double error_sum = 0.0;
  std::size_t errors = 0;
  for (const balance::EpochReport& report : rt.epoch_reports()) {
    result.objects_moved += report.objects_moved;
    result.bytes_moved += report.bytes_moved;
    // The slowest rank sets each phase's length.
    result.plan_s += max_over_ranks(comm, report.plan_seconds);
    result.epoch_overhead_s +=
        max_over_ranks(comm, report.snapshot_seconds + report.plan_seconds + report.move_seconds);
    if (report.epoch > 1) {
      error_sum += report.prediction_error;
      ++errors;
    }
  }
  result.epochs = rt.epoch_reports().size();
  result.prediction_error = errors > 0 ? error_sum / static_cast<double>(errors) : 0.0;
  return result;
}

MpiStrategyResult run_strategy(MPI_Comm comm, const MpiRebalanceOptions& options, const std::string& name,
                               const std::vector<Series>& work) {
  switch (options.object_kib) {
    case 4:
      return run_strategy_with<Payload<4 << 10>>(comm, options, name, work);
    case 16:
      return run_strategy_with<Payload<16 << 10>>(comm, options, name, work);
    case 64:
      return run_strategy_with<Payload<64 << 10>>(comm, options, name, work);
    case 256:
      return run_strategy_with<Payload<256 << 10>>(comm, options, name, work);
    case 1024:
      return run_strategy_with<Payload<1024 << 10>>(comm, options, name, work);
  }
  throw unknown_object_size(options.object_kib);  // run_mpi_rebalance checked it before any run
}

}  // namespace

MpiRebalanceRun run_mpi_rebalance(MPI_Comm comm, const MpiRebalanceOptions& options) {
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  if (options.topology != "ring" && options.topology != "mesh")
    throw InvalidArgument(fmt::format("--topology: '{}' (expected ring or mesh)", options.topology));
  if (options.steps < 2) throw InvalidArgument(fmt::format("--steps: {} (expected >= 2)", options.steps));
  if (options.epoch_every < 1)
    throw InvalidArgument(fmt::format("--epoch-every: {} (expected >= 1)", options.epoch_every));
  // Work done as sleep should last what the pattern says. Linux lets a sleep overrun by the thread's timer slack
  // (50 us by default), and sleep_until in every task paid it: the median task overran its work by 0.143 ms
  // with the default slack and by 0.090 ms with 1 ns (8 ranks, moving-hotspot; the rest is the reads, the
  // write and waking up). The overrun is the same for every strategy, but it is not the object's work.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const int objects = options.objects > 0 ? options.objects : 16 * ranks;
  if (objects < ranks) throw InvalidArgument(fmt::format("--objects: {} (expected >= the {} ranks)", objects, ranks));
  if (std::ranges::find(kObjectKibChoices, options.object_kib) == kObjectKibChoices.end())
    throw unknown_object_size(options.object_kib);
  const std::vector<std::string> known = balance::strategy_names();
  for (const std::string& name : options.strategies)
    if (std::find(known.begin(), known.end(), variant_of(name).strategy) == known.end())
      throw InvalidArgument(
          fmt::format("--strategies: '{}' is not a strategy (nor one with '{}')", name, kOverlapSuffix));

  // The same series on every rank and for every strategy: one seed, generated once. Long enough for the
  // oracle to look one epoch past the last step.
  std::mt19937_64 rng(options.seed * 1000003ULL + std::hash<std::string>{}(options.pattern));
  const Shape shape{.objects = objects, .ranks = ranks, .epochs = options.steps + options.epoch_every + 1};
  const Signal signal(options.pattern, shape, rng);
  std::vector<Series> work;
  for (int i = 0; i < objects; ++i) work.push_back(signal.object(i, rng));

  if (options.repeat < 1) throw InvalidArgument(fmt::format("--repeat: {} (expected >= 1)", options.repeat));
  std::vector<std::vector<MpiStrategyResult>> runs(options.strategies.size());
  for (int round = 0; round < options.repeat; ++round)
    for (std::size_t s = 0; s < options.strategies.size(); ++s)
      runs[s].push_back(run_strategy(comm, options, options.strategies[s], work));
  MpiRebalanceRun run;
  for (int step = 0; step < options.steps; ++step) {
    double sum = 0.0, largest = 0.0;
    for (const Series& series : work) {
      sum += series[step];
      largest = std::max(largest, series[step]);
    }
    run.mean_work_s += sum / ranks * options.work_scale;
    run.balanced_work_s += std::max(sum / ranks, largest) * options.work_scale;
  }
  for (std::vector<MpiStrategyResult>& of_strategy : runs) {
    std::vector<double> times;
    for (const MpiStrategyResult& run_of_strategy : of_strategy) times.push_back(run_of_strategy.total_s);
    std::sort(of_strategy.begin(), of_strategy.end(),
              [](const MpiStrategyResult& a, const MpiStrategyResult& b) { return a.total_s < b.total_s; });
    MpiStrategyResult median = of_strategy[of_strategy.size() / 2];
    median.run_times_s = std::move(times);
    run.strategies.push_back(std::move(median));
  }
  return run;
}

}  // namespace penumbra::bench
