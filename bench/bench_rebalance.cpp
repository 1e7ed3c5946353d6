// penumbra-bench-rebalance: the rebalancing strategies compared.
//
//   build/bin/penumbra-bench-rebalance --simulate [--partitions N] [--quick] [--epochs N] [--json FILE]
//
// --simulate runs the pure planning functions of every strategy for 64 to 65,536 virtual partitions (100
// objects each, a 2-D mesh with halo edges, a moving hotspot; rebalance_simulate.cpp) in this one process
// and reports, per partition count and strategy, the planning time per epoch, the imbalance reached (max/mean
// of the true load), objects moved, coordination rounds and messages.
//
// The MPI mode (`mpiexec -n N penumbra-bench-rebalance --pattern P ...`, issue 6) will be a second function
// beside run_simulate_mode, chosen in main() below.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <penumbra/errors.hpp>
#include <string>

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Penumbra rebalancing strategies: planning at scale (--simulate)"};
  bool simulate = false;
  SimulateFlags flags;
  app.add_flag("--simulate", simulate, "run the planning functions for virtual partitions in this process");
  app.add_option("--partitions", flags.partitions, "only this many partitions (default 64..65536)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_flag("--quick", flags.quick, "64, 256 and 1024 partitions, 2 epochs (seconds)");
  app.add_option("--epochs", flags.epochs, "planning epochs per partition count (default 4, --quick 2)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--strategies", flags.strategies,
                 "these strategies (default: static greedy refine predictive oracle; zoltan where built)");
  app.add_option("--json", flags.json_path, "write {\"simulate\": [...]} to this file");
  CLI11_PARSE(app, argc, argv);
  try {
    if (simulate) return run_simulate_mode(flags);
    // The MPI mode (--pattern) goes here.
    std::fprintf(stderr, "penumbra-bench-rebalance: only --simulate is available in this build\n");
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-bench-rebalance: %s\n", error.what());
    return 1;
  }
}
