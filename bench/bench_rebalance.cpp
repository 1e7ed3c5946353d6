// penumbra-bench-rebalance: the rebalancing strategies compared.
//
//   build/bin/penumbra-bench-rebalance --simulate [--partitions N] [--quick] [--epochs N] [--json FILE]
//
// --simulate runs the pure planning functions of every strategy for 64 to 65,536 virtual partitions (100
// objects each, a 2-D mesh with halo edges, a moving hotspot; rebalance_simulate.cpp) in this one process
// and reports, per partition count and strategy, the planning time per epoch, the imbalance reached (max/mean
// of the true load), objects moved, coordination rounds and messages.
//
//   mpiexec -n N build/bin/penumbra-bench-rebalance --pattern P [--quick] [--objects N] [--steps N]
//                   [--epoch-every K] [--topology ring|mesh] [--object-kib 4|16|64|256|1024] [--work sleep|spin]
//                   [--strategies ...] [--json FILE]
//
// --pattern runs a real workload under MPI (rebalance_mpi.cpp): every strategy in the same run, on the same
// seed, objects reading their neighbours' halos through the runtime, work as sleep (or spin). Per strategy:
// total time, mean and worst per-step max/mean load, objects and bytes moved, epoch overhead (snapshot, plan,
// move) and prediction error; where its time went (work, in-task excess, imbalance, outside tasks); then
// predictive's ratios against the better reactive strategy and the oracle, and the run's ideal (work balanced
// perfectly, free epochs) against the better reactive strategy: how much any placement could win at all.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <penumbra/errors.hpp>
#include <string>

#include "rebalance_mpi.hpp"
#include "rebalance_simulate.hpp"

namespace {

struct SimulateFlags {
  bool quick = false;
  int partitions = 0;  // 0: the default sweep
  int epochs = 0;      // 0: 4 (2 with --quick)
  std::string json_path;
  std::vector<std::string> strategies;  // empty: all
};

// The zoltan strategy runs Zoltan on MPI_COMM_SELF; MPI is initialised only when it is asked for, so the
// default --simulate run needs no MPI at all.
struct MpiForZoltan {
  bool initialised = false;
  explicit MpiForZoltan(const std::vector<std::string>& strategies) {
    if (std::ranges::find(strategies, "zoltan") == strategies.end()) return;
    MPI_Init(nullptr, nullptr);
    initialised = true;
  }
  ~MpiForZoltan() {
    if (initialised) MPI_Finalize();
  }
  MpiForZoltan(const MpiForZoltan&) = delete;
  MpiForZoltan& operator=(const MpiForZoltan&) = delete;
};

int run_simulate_mode(const SimulateFlags& flags) {
  penumbra::bench::SimulateOptions options;
  if (flags.partitions > 0)
    options.partitions = {flags.partitions};
  else if (flags.quick)
    options.partitions = {64, 256, 1024};
  options.epochs = flags.epochs > 0 ? flags.epochs : flags.quick ? 2 : 4;
  if (!flags.strategies.empty()) options.strategies = flags.strategies;
  const MpiForZoltan mpi(options.strategies);
  fmt::print(
      "penumbra-bench-rebalance --simulate: 100 objects per partition on a 2-D mesh, moving hotspots, {} "
      "planning epochs, threshold {}, {} partitions per node; means per epoch\n",
      options.epochs, options.threshold, options.ranks_per_node);
  fmt::print("{:>10} {:>10} {:<11} {:>10} {:>10} {:>9} {:>10} {:>7} {:>10}\n", "partitions", "objects", "strategy",
             "plan_s", "plan_s_max", "imbalance", "moved", "rounds", "messages");
  nlohmann::json json{{"simulate", nlohmann::json::array()}};
  penumbra::bench::run_simulation(options, [&](const penumbra::bench::SimulateRow& row) {
    fmt::print("{:>10} {:>10} {:<11} {:>10.4f} {:>10.4f} {:>9.3f} {:>10.1f} {:>7.1f} {:>10.0f}\n", row.partitions,
               row.objects, row.strategy, row.plan_s, row.plan_s_max, row.imbalance, row.objects_moved, row.rounds,
               row.messages);
    std::fflush(stdout);
    json["simulate"].push_back({{"partitions", row.partitions},
                                {"objects", row.objects},
                                {"strategy", row.strategy},
                                {"plan_s", row.plan_s},
                                {"plan_s_max", row.plan_s_max},
                                {"imbalance", row.imbalance},
                                {"objects_moved", row.objects_moved},
                                {"rounds", row.rounds},
                                {"messages", row.messages}});
  });
  if (!flags.json_path.empty()) {
    std::ofstream out(flags.json_path);
    if (!out) throw penumbra::InvalidArgument(fmt::format("--json {}: cannot write", flags.json_path));
    out << json.dump(2) << "\n";
  }
  return 0;
}

struct PatternFlags {
  std::string pattern;
  bool quick = false;
  int objects = 0;
  int steps = 0;         // 0: 80 (40 with --quick)
  int epoch_every = 10;  // balance.epoch_every's default
  std::string topology = "ring";
  int object_kib = 4;
  std::string work = "sleep";
  std::uint64_t seed = 1;
  int repeat = 1;
  std::vector<std::string> strategies;
  std::string json_path;
};

const penumbra::bench::MpiStrategyResult* find_result(const std::vector<penumbra::bench::MpiStrategyResult>& rows,
                                                      const std::string& name) {
  auto found = std::ranges::find(rows, name, &penumbra::bench::MpiStrategyResult::name);
  return found == rows.end() ? nullptr : &*found;
}

// numerator[r] / denominator[r] for every round r, printed on one line and written to json[key] (nothing with a
// single round: the ratio above is that round's).
void print_round_ratios(const char* label, const std::vector<double>& numerator, const std::vector<double>& denominator,
                        nlohmann::json& json, const char* key) {
  if (numerator.size() < 2 || numerator.size() != denominator.size()) return;
  std::vector<double> ratios;
  for (std::size_t round = 0; round < numerator.size(); ++round) ratios.push_back(numerator[round] / denominator[round]);
  fmt::print("{}, round by round: {:.3f}\n", label, fmt::join(ratios, " "));
  json[key] = ratios;
}

// A floor for this run: the pattern's work balanced perfectly, with the lowest in-task excess and the lowest
// time outside tasks other than epochs that any strategy of the run had, and no epochs. The excess and the
// collectives are the runtime's per-task and per-step costs; a placement moves them only through the reads it
// makes remote (a strategy that never moves, static, has the lowest). A strategy faster than this would have to
// cut those costs, not balance better.
double ideal_time_s(const penumbra::bench::MpiRebalanceRun& run) {
  double lowest_excess = std::numeric_limits<double>::infinity();
  double lowest_outside = std::numeric_limits<double>::infinity();
  for (const auto& row : run.strategies) {
    lowest_excess = std::min(lowest_excess, row.time.task_excess_s);
    lowest_outside = std::min(lowest_outside, row.time.outside_tasks_s - row.epoch_overhead_s);
  }
  return run.balanced_work_s + std::max(0.0, lowest_excess) + std::max(0.0, lowest_outside);
}

// Where each strategy's time went (TimeBreakdown), against the floor the pattern's work sets for any placement.
void print_time_breakdown(const penumbra::bench::MpiRebalanceRun& run, nlohmann::json& json) {
  fmt::print("where the time went, s (total = work spread evenly {:.3f} + task excess + imbalance + outside tasks):\n",
             run.mean_work_s);
  fmt::print("{:<18} {:>9} {:>12} {:>10} {:>14} {:>11}\n", "strategy", "total_s", "task_excess", "imbalance",
             "outside_tasks", "of_which_epochs");
  for (const auto& row : run.strategies)
    fmt::print("{:<18} {:>9.3f} {:>12.3f} {:>10.3f} {:>14.3f} {:>11.3f}\n", row.name, row.total_s,
               row.time.task_excess_s, row.time.imbalance_s, row.time.outside_tasks_s, row.epoch_overhead_s);
  fmt::print("the pattern's work balanced perfectly (largest object per step as a floor): {:.3f} s\n",
             run.balanced_work_s);
  json["mean_work_s"] = run.mean_work_s;
  json["balanced_work_s"] = run.balanced_work_s;
}

int run_pattern_mode(const PatternFlags& flags) {
  penumbra::bench::MpiRebalanceOptions options;
  options.pattern = flags.pattern;
  options.objects = flags.objects;
  options.steps = flags.steps > 0 ? flags.steps : flags.quick ? 40 : 80;
  options.epoch_every = flags.epoch_every;
  options.topology = flags.topology;
  options.object_kib = flags.object_kib;
  options.spin = flags.work == "spin";
  options.seed = flags.seed;
  options.repeat = flags.repeat;
  if (!flags.strategies.empty()) options.strategies = flags.strategies;
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const penumbra::bench::MpiRebalanceRun run = penumbra::bench::run_mpi_rebalance(MPI_COMM_WORLD, options);
  const std::vector<penumbra::bench::MpiStrategyResult>& rows = run.strategies;
  if (rank != 0) return 0;
  fmt::print(
      "penumbra-bench-rebalance --pattern {}: {} ranks, {} objects of {} KiB ({}), {} steps, epoch every {}, work "
      "as {}, median of {} run(s)\n",
      options.pattern, ranks, options.objects > 0 ? options.objects : 16 * ranks, options.object_kib, options.topology,
      options.steps, options.epoch_every, flags.work, options.repeat);
  fmt::print("{:<18} {:>9} {:>11} {:>10} {:>9} {:>7} {:>11} {:>7} {:>11} {:>9}\n", "strategy", "total_s",
             "steady_ms", "imbalance", "worst", "moved", "bytes", "epochs", "overhead_s", "pred_err");
  nlohmann::json json{{"pattern", options.pattern},
                      {"ranks", ranks},
                      {"object_bytes", options.object_kib * 1024},
                      {"strategies", nlohmann::json::array()}};
  for (const auto& row : rows) {
    fmt::print("{:<18} {:>9.3f} {:>11.3f} {:>10.3f} {:>9.3f} {:>7} {:>11} {:>7} {:>11.4f} {:>8.1f}%\n", row.name,
               row.total_s, 1e3 * row.steady_s_per_step, row.mean_imbalance, row.max_imbalance, row.objects_moved, row.bytes_moved, row.epochs,
               row.epoch_overhead_s, 100.0 * row.prediction_error);
    json["strategies"].push_back({{"name", row.name},
                                  {"total_s", row.total_s},
                                  {"steady_s_per_step", row.steady_s_per_step},
                                  {"mean_imbalance", row.mean_imbalance},
                                  {"max_imbalance", row.max_imbalance},
                                  {"objects_moved", row.objects_moved},
                                  {"bytes_moved", row.bytes_moved},
                                  {"epochs", row.epochs},
                                  {"epoch_overhead_s", row.epoch_overhead_s},
                                  {"plan_s", row.plan_s},
                                  {"prediction_error", row.prediction_error},
                                  {"run_times_s", row.run_times_s},
                                  {"task_excess_s", row.time.task_excess_s},
                                  {"imbalance_s", row.time.imbalance_s},
                                  {"outside_tasks_s", row.time.outside_tasks_s}});
  }
  print_time_breakdown(run, json);
  // The ratios, from this one run.
  const auto* predictive = find_result(rows, "predictive");
  const auto* greedy = find_result(rows, "greedy");
  const auto* refine = find_result(rows, "refine");
  const auto* oracle = find_result(rows, "oracle");
  if (predictive && (greedy || refine)) {
    const auto* reactive = !greedy ? refine : !refine ? greedy : greedy->total_s < refine->total_s ? greedy : refine;
    fmt::print("predictive / best reactive ({}): {:.3f}x time\n", reactive->name,
               predictive->total_s / reactive->total_s);
    json["predictive_vs_best_reactive"] = predictive->total_s / reactive->total_s;
    // The same ratio inside each round (the strategies run in turn, round by round): its spread is what one
    // run's ratio is worth on a shared or oversubscribed machine.
    std::vector<double> best_reactive_times;
    for (std::size_t round = 0; round < predictive->run_times_s.size(); ++round) {
      double best = std::numeric_limits<double>::infinity();
      for (const auto* row : {greedy, refine})
        if (row) best = std::min(best, row->run_times_s.at(round));
      best_reactive_times.push_back(best);
    }
    print_round_ratios("predictive / best reactive", predictive->run_times_s, best_reactive_times, json,
                       "predictive_vs_best_reactive_per_round");
    // The most any placement could win here: see ideal_time_s.
    const double ideal = ideal_time_s(run);
    fmt::print("ideal (work balanced perfectly, free epochs, this run's lowest other costs) / best reactive: {:.3f}x\n",
               ideal / reactive->total_s);
    json["ideal_s"] = ideal;
    json["ideal_vs_best_reactive"] = ideal / reactive->total_s;
    if (greedy && greedy->bytes_moved > 0)
      json["predictive_bytes_vs_greedy"] =
          static_cast<double>(predictive->bytes_moved) / static_cast<double>(greedy->bytes_moved);
  }
  if (predictive && oracle) {
    fmt::print("predictive / oracle: {:.3f}x time\n", predictive->total_s / oracle->total_s);
    json["predictive_vs_oracle"] = predictive->total_s / oracle->total_s;
    print_round_ratios("predictive / oracle", predictive->run_times_s, oracle->run_times_s, json,
                       "predictive_vs_oracle_per_round");
  }
  // Charm++'s lb_test reports the cut in time per step in steady state against no balancing.
  if (const auto* none = find_result(rows, "static"); none && none->steady_s_per_step > 0.0)
    for (const auto& row : rows) {
      if (&row == none) continue;
      const double cut = 1.0 - row.steady_s_per_step / none->steady_s_per_step;
      fmt::print("{}: steady-state time per step {:+.1f}% against static\n", row.name, -100.0 * cut);
      json["steady_cut_vs_static"][row.name] = cut;
    }
  // Moves overlapping the next step against moves inside the epoch, strategy by strategy.
  for (const auto& row : rows) {
    const auto [base, overlap] = penumbra::bench::variant_of(row.name);
    if (!overlap) continue;
    if (const auto* blocking = find_result(rows, base)) {
      fmt::print("{} / {}: {:.3f}x time\n", row.name, base, row.total_s / blocking->total_s);
      json["overlap_vs_blocking"][base] = row.total_s / blocking->total_s;
    }
  }
  if (!flags.json_path.empty()) {
    std::ofstream out(flags.json_path);
    if (!out) throw penumbra::InvalidArgument(fmt::format("--json {}: cannot write", flags.json_path));
    out << json.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Penumbra rebalancing strategies: a workload under MPI (--pattern) or planning at scale (--simulate)"};
  bool simulate = false;
  SimulateFlags flags;
  PatternFlags pattern;
  app.add_option("--pattern", pattern.pattern,
                 "run this load pattern under MPI with every strategy: moving-hotspot, trend, periodic, noise, "
                 "phase-change, random-walk, lb-random (Charm++ lb_test's fixed U[10, 2000] us per object), lb-rising (lb_test's load rising by rank)")
      ->check(CLI::IsMember(
          {"moving-hotspot", "trend", "periodic", "noise", "phase-change", "random-walk", "lb-random", "lb-rising"}));
  app.add_option("--objects", pattern.objects, "--pattern: objects in all (default 16 per rank)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--steps", pattern.steps, "--pattern: steps per strategy (default 80, --quick 40)")
      ->check(CLI::Range(2, 1 << 20));
  app.add_option("--epoch-every", pattern.epoch_every, "--pattern: steps between rebalance epochs")
      ->check(CLI::Range(1, 10000));
  app.add_option("--topology", pattern.topology, "--pattern: halo neighbours, ring or mesh")
      ->check(CLI::IsMember({"ring", "mesh"}));
  app.add_option("--object-kib", pattern.object_kib,
                 "--pattern: size of every object in KiB (default 4): each halo read copies it, each move sends it")
      ->check(CLI::IsMember(penumbra::bench::kObjectKibChoices));
  app.add_option("--work", pattern.work, "--pattern: execute work as sleep (oversubscribed) or spin")
      ->check(CLI::IsMember({"sleep", "spin"}));
  app.add_option("--seed", pattern.seed, "--pattern: seed of the load series");
  app.add_option("--repeat", pattern.repeat,
                 "--pattern: runs per strategy, interleaved; the median run is reported (default 1)")
      ->check(CLI::Range(1, 100));
  app.add_flag("--simulate", simulate, "run the planning functions for virtual partitions in this process");
  app.add_option("--partitions", flags.partitions, "only this many partitions (default 64..65536)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_flag("--quick", flags.quick, "64, 256 and 1024 partitions, 2 epochs (seconds)");
  app.add_option("--epochs", flags.epochs, "planning epochs per partition count (default 4, --quick 2)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--strategies", flags.strategies,
                 "these strategies, comma-separated (default: static,greedy,refine,predictive,oracle; zoltan "
                 "where built); NAME+overlap: NAME with its moves travelling during the next step "
                 "(balance.overlap_moves)")
      ->delimiter(',');
  app.add_option("--json", flags.json_path, "write {\"simulate\": [...]} to this file");
  CLI11_PARSE(app, argc, argv);
  try {
    if (simulate == !pattern.pattern.empty()) {
      std::fprintf(stderr, "penumbra-bench-rebalance: give exactly one of --simulate and --pattern P\n");
      return 2;
    }
    if (simulate) return run_simulate_mode(flags);
    pattern.quick = flags.quick;
    pattern.strategies = flags.strategies;
    pattern.json_path = flags.json_path;
    MPI_Init(&argc, &argv);
    int status = 0;
    try {
      status = run_pattern_mode(pattern);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "penumbra-bench-rebalance: %s\n", error.what());
      status = 1;
    }
    MPI_Finalize();
    return status;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-bench-rebalance: %s\n", error.what());
    return 1;
  }
}
