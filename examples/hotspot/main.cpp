// hotspot: the main job. A 2-D domain cut into blocks (Penumbra objects); every step a task per block (a
// Penumbra task, placed at the block's owner) reads its four neighbours' halos and a global parameter object
// that every task reads (the hot object), relaxes its cells, does the block's work and writes the block back.
// Every 10 steps, read-only tasks sum the heat of each row of blocks wherever copies of the row are. The work follows a
// storm crossing the domain, so whichever rank owns the storm's blocks overloads, and the storm keeps moving. The same
// run repeats with each rebalancing strategy, shadows off and on, and prints one table (and --json).
//
//   mpiexec -n 4 build/bin/hotspot [--steps N] [--strategies static,greedy,refine,predictive]
//                                  [--shadows off,on] [--block-cells 32|64|128] [--work sleep|spin] [--json FILE]
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <penumbra/penumbra.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "storm.hpp"

namespace {

// A block is Cells x Cells doubles (--block-cells): 32 (8 KiB, the default), 64 (32 KiB) or 128 (128 KiB). The
// size is what a move sends and a halo read copies: at 8 KiB on one node a move is nearly free.
constexpr int kBlockCellChoices[] = {32, 64, 128};
std::size_t block_bytes(int cells) { return static_cast<std::size_t>(cells) * cells * sizeof(double); }

template <int Cells>
struct BlockOf {  // trivially copyable: stored, shadowed and migrated as its own bytes
  int x;
  int y;
  int step;
  double cells[Cells][Cells];
};

struct Parameters {
  double diffusion;
  int updated_at_step;
};

struct RunSpec {
  std::string strategy;
  bool shadows = true;
  int block_cells = 32;  // one of kBlockCellChoices
  hotspot::StormOptions storm;
  int epoch_every = 10;
  bool spin = false;
};

struct RunResult {
  double total_s = 0.0;
  double imbalance = 1.0;  // mean over steps of (max / mean) work per rank
  std::uint64_t objects_moved = 0;
  std::uint64_t bytes_moved = 0;
  double shadow_hit_rate = 0.0;   // reads of other ranks' blocks served by a shadow
  double prediction_error = 0.0;  // mean over epochs of Σ|predicted - measured| / Σ measured
  std::size_t epochs = 0;
  double domain_heat = 0.0;             // sum of every cell at the last sample (rank 0; a physics check)
  std::int64_t tasks_stolen = 0;        // read-only tasks idle ranks took from busy ones
  std::int64_t read_only_on_copies = 0; // read-only tasks that ran on shadows, not at the owner
};

std::string block_name(int x, int y) { return fmt::format("hotspot/block/{}/{}", x, y); }
const char* const kParameters = "hotspot/parameters";

void do_work(double microseconds, bool spin) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::micro>(microseconds);
  if (!spin) {
    // Sleeping is the honest way to "work" on an oversubscribed node: it frees the core for the other ranks,
    // as a real node with a core per rank would.
    std::this_thread::sleep_until(until);
    return;
  }
  volatile double sink = 0.0;
  while (std::chrono::steady_clock::now() < until) sink = sink + 1.0;
}

// The relaxation itself: each cell moves towards the mean of its neighbours; the block's edges see the
// neighbour blocks' facing edges.
template <int Cells>
void relax(BlockOf<Cells>& block, const BlockOf<Cells>* const neighbours[4], double diffusion) {
  double next[Cells][Cells];
  for (int i = 0; i < Cells; ++i)
    for (int j = 0; j < Cells; ++j) {
      const double up = i > 0 ? block.cells[i - 1][j] : (neighbours[0] ? neighbours[0]->cells[Cells - 1][j] : 0.0);
      const double down = i < Cells - 1 ? block.cells[i + 1][j] : (neighbours[1] ? neighbours[1]->cells[0][j] : 0.0);
      const double left = j > 0 ? block.cells[i][j - 1] : (neighbours[2] ? neighbours[2]->cells[i][Cells - 1] : 0.0);
      const double right = j < Cells - 1 ? block.cells[i][j + 1] : (neighbours[3] ? neighbours[3]->cells[i][0] : 0.0);
      next[i][j] = block.cells[i][j] + diffusion * ((up + down + left + right) / 4.0 - block.cells[i][j]);
    }
  std::copy(&next[0][0], &next[0][0] + Cells * Cells, &block.cells[0][0]);
}

template <int Cells>
RunResult run(MPI_Comm comm, const RunSpec& spec, const penumbra::Config& base) {
  using Block = BlockOf<Cells>;
  constexpr int kCells = Cells;
  penumbra::Config config = base;
  config.balance.strategy = spec.strategy;
  config.balance.epoch_every = spec.epoch_every;
  config.balance.horizon = spec.epoch_every;  // plan for the loads of the whole next epoch
  config.shadow.enabled = spec.shadows;
  config.epoch_interval = spec.epoch_every;
  // One trace per run when tracing is on (PENUMBRA_TRACE=dir or trace.dir): named after the row it feeds.
  config.trace.run_name =
      fmt::format("{}hotspot-{}-shadows-{}", base.trace.run_name.empty() ? "" : base.trace.run_name + "-",
                  spec.strategy, spec.shadows ? "on" : "off");
  penumbra::Runtime rt(comm, config);
  const hotspot::StormOptions& storm = spec.storm;

  // Create every block at its home, then give each rank a contiguous strip of rows: the static
  // decomposition every strategy starts from.
  std::unordered_map<penumbra::ObjectId, std::pair<int, int>> coordinates;
  for (int y = 0; y < storm.blocks_y; ++y)
    for (int x = 0; x < storm.blocks_x; ++x) {
      const std::string name = block_name(x, y);  // an ObjectRef views its name: keep the string alive
      const penumbra::ObjectRef ref(name);
      coordinates[ref.id()] = {x, y};
      if ((y * storm.blocks_x + x) % rt.size() == rt.rank()) {
        Block block{x, y, 0, {}};
        for (auto& row : block.cells) std::fill(std::begin(row), std::end(row), static_cast<double>(x + y));
        rt.create(ref, block);
      }
    }
  if (rt.rank() == 0) rt.create(kParameters, Parameters{0.2, 0});
  rt.barrier();
  std::vector<penumbra::Move> strips;
  for (penumbra::ObjectId id : rt.local_objects())
    if (auto found = coordinates.find(id); found != coordinates.end())
      strips.push_back({id, found->second.second * rt.size() / storm.blocks_y});
  rt.migrate(strips);
  if (rt.rank() == 0)  // halos: one edge row of doubles each way per step
    for (int y = 0; y < storm.blocks_y; ++y)
      for (int x = 0; x < storm.blocks_x; ++x) {
        if (x + 1 < storm.blocks_x)
          rt.declare_dependency(block_name(x, y), block_name(x + 1, y), 2.0 * kCells * sizeof(double));
        if (y + 1 < storm.blocks_y)
          rt.declare_dependency(block_name(x, y), block_name(x, y + 1), 2.0 * kCells * sizeof(double));
      }
  rt.barrier();

  // The application's work as tasks. Every rank registers the same kinds; `busy` is the task time this rank
  // spent in the current step (tasks run on the rank's own thread).
  double busy = 0.0;
  struct RelaxArgs {
    int x;
    int y;
    int step;
    double cost_us;
  };
  const auto relax_block = rt.register_task<RelaxArgs>(
      "hotspot/relax", [&busy, &storm, spin = spec.spin](penumbra::TaskContext& ctx, const RelaxArgs& args) {
        const auto started = std::chrono::steady_clock::now();
        const double diffusion = ctx.read<Parameters>(kParameters).value.diffusion;  // every task reads it
        const std::string self = block_name(args.x, args.y);
        Block block = ctx.read<Block>(self).value;
        Block halo[4];
        const Block* neighbours[4] = {nullptr, nullptr, nullptr, nullptr};
        const int nx[4] = {args.x, args.x, args.x - 1, args.x + 1}, ny[4] = {args.y - 1, args.y + 1, args.y, args.y};
        for (int k = 0; k < 4; ++k)
          if (nx[k] >= 0 && nx[k] < storm.blocks_x && ny[k] >= 0 && ny[k] < storm.blocks_y) {
            halo[k] = ctx.read<Block>(block_name(nx[k], ny[k])).value;
            neighbours[k] = &halo[k];
          }
        relax(block, neighbours, diffusion);
        do_work(args.cost_us, spin);
        block.step = args.step;
        ctx.write(self, block);
        busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      });
  // Read-only: the heat of one row of blocks. Runs wherever the row's blocks are local (owned or shadowed),
  // and an idle rank holding them may steal it.
  const auto row_heat = rt.register_task<int>(
      "hotspot/row-heat", [&busy, &storm](penumbra::TaskContext& ctx, const int& y) {
        const auto started = std::chrono::steady_clock::now();
        double heat = 0.0;
        for (int x = 0; x < storm.blocks_x; ++x) {
          const auto block = ctx.read<Block>(block_name(x, y)).value;
          for (const auto& row : block.cells) heat = std::accumulate(std::begin(row), std::end(row), heat);
        }
        busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return heat;
      });
  const auto set_parameters = rt.register_task<Parameters>(
      "hotspot/parameters", [](penumbra::TaskContext& ctx, const Parameters& next) { ctx.write(kParameters, next); });
  const penumbra::ObjectId parameters_id = penumbra::ObjectId::from_name(kParameters);
  auto block_id = [](int x, int y) { return penumbra::ObjectId::from_name(block_name(x, y)); };

  std::vector<double> busy_per_step;
  busy_per_step.reserve(static_cast<std::size_t>(storm.steps));
  std::vector<penumbra::Future<double>> heat;
  const int first_row = rt.rank() * storm.blocks_y / rt.size(), end_row = (rt.rank() + 1) * storm.blocks_y / rt.size();
  const auto started = std::chrono::steady_clock::now();
  for (int step = 0; step < storm.steps; ++step) {
    busy = 0.0;
    // Each rank submits the tasks of its original strip of rows; the scheduler sends each to the block's
    // owner now, wherever the rebalancer has moved it.
    for (int y = first_row; y < end_row; ++y)
      for (int x = 0; x < storm.blocks_x; ++x) {
        std::vector<penumbra::ObjectId> reads = {parameters_id};
        if (y > 0) reads.push_back(block_id(x, y - 1));
        if (y + 1 < storm.blocks_y) reads.push_back(block_id(x, y + 1));
        if (x > 0) reads.push_back(block_id(x - 1, y));
        if (x + 1 < storm.blocks_x) reads.push_back(block_id(x + 1, y));
        const double cost_us = hotspot::block_cost_us(storm, x, y, step);
        rt.submit(relax_block, RelaxArgs{x, y, step, cost_us},
                  penumbra::TaskSpec{}.with_writes({block_id(x, y)}).with_reads(std::move(reads)).with_cost(cost_us * 1e-6));
      }
    if (rt.rank() == 0 && step % 10 == 9) {  // the hot object changes now and then; the domain's heat is sampled
      rt.submit(set_parameters, Parameters{0.2 + 0.001 * (step % 7), step},
                penumbra::TaskSpec{}.with_writes({parameters_id}));
      heat.clear();
      for (int y = 0; y < storm.blocks_y; ++y) {
        std::vector<penumbra::ObjectId> row;
        for (int x = 0; x < storm.blocks_x; ++x) row.push_back(block_id(x, y));
        heat.push_back(rt.submit(row_heat, y, penumbra::TaskSpec{}.with_reads(std::move(row))));
      }
    }
    if (spec.strategy == "oracle") {  // the oracle is told the true cost of the next epoch (none for the parameters)
      for (penumbra::ObjectId id : rt.local_objects()) {
        auto found = coordinates.find(id);
        double sum = 0.0;
        if (found != coordinates.end())
          for (int ahead = 1; ahead <= spec.epoch_every; ++ahead)
            sum += hotspot::block_cost_us(storm, found->second.first, found->second.second, step + ahead);
        rt.declare_next_cost(id, sum / spec.epoch_every * 1e-6);
      }
    }
    rt.step();  // runs the step's tasks, then the rebalance epoch when one is due
    busy_per_step.push_back(busy);
  }
  rt.barrier();
  RunResult result;
  result.total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  rt.check_invariants();

  std::vector<double> all(busy_per_step.size() * static_cast<std::size_t>(rt.size()));
  MPI_Allgather(busy_per_step.data(), static_cast<int>(busy_per_step.size()), MPI_DOUBLE, all.data(),
                static_cast<int>(busy_per_step.size()), MPI_DOUBLE, comm);
  double imbalance_sum = 0.0;
  for (std::size_t s = 0; s < busy_per_step.size(); ++s) {
    double max = 0.0, sum = 0.0;
    for (int r = 0; r < rt.size(); ++r) {
      const double value = all[static_cast<std::size_t>(r) * busy_per_step.size() + s];
      max = std::max(max, value);
      sum += value;
    }
    imbalance_sum += sum > 0.0 ? max / (sum / rt.size()) : 1.0;
  }
  result.imbalance = imbalance_sum / static_cast<double>(busy_per_step.size());

  const penumbra::ShadowStats stats = rt.shadow_stats();
  double counts[2] = {static_cast<double>(stats.local_hits + stats.remote_hits),
                      static_cast<double>(stats.owner_reads)};
  double totals[2] = {0.0, 0.0};
  MPI_Allreduce(counts, totals, 2, MPI_DOUBLE, MPI_SUM, comm);
  result.shadow_hit_rate = totals[0] + totals[1] > 0.0 ? totals[0] / (totals[0] + totals[1]) : 0.0;

  double error_sum = 0.0;
  std::size_t errors = 0;
  for (const penumbra::balance::EpochReport& report : rt.epoch_reports()) {
    result.objects_moved += report.objects_moved;
    result.bytes_moved += report.bytes_moved;
    if (report.epoch > 1) {
      error_sum += report.prediction_error;
      ++errors;
    }
  }
  result.epochs = rt.epoch_reports().size();
  for (const penumbra::Future<double>& row : heat) result.domain_heat += row.get();  // rank 0's last sample
  const penumbra::TaskStats tasks = rt.task_stats();
  std::int64_t task_counts[2] = {static_cast<std::int64_t>(tasks.stolen),
                                 static_cast<std::int64_t>(tasks.read_only_on_copy)};
  std::int64_t task_totals[2] = {0, 0};
  MPI_Allreduce(task_counts, task_totals, 2, MPI_INT64_T, MPI_SUM, comm);
  result.tasks_stolen = task_totals[0];
  result.read_only_on_copies = task_totals[1];
  result.prediction_error = errors > 0 ? error_sum / static_cast<double>(errors) : 0.0;
  return result;
}

RunResult run_with_block_size(MPI_Comm comm, const RunSpec& spec, const penumbra::Config& base) {
  switch (spec.block_cells) {
    case 32:
      return run<32>(comm, spec, base);
    case 64:
      return run<64>(comm, spec, base);
    case 128:
      return run<128>(comm, spec, base);
  }
  throw penumbra::InvalidArgument(
      fmt::format("--block-cells: {} (expected {})", spec.block_cells, fmt::join(kBlockCellChoices, ", ")));
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  try {
    CLI::App app{"hotspot: a storm crossing a 2-D block domain, under every rebalancing strategy"};
    RunSpec spec;
    std::vector<std::string> strategy_list = {"static", "greedy", "refine", "predictive"};
    std::vector<std::string> shadow_modes = {"off", "on"};
    std::string work = "sleep";
    std::string json_path;
    app.add_option("--steps", spec.storm.steps, "steps per run")->check(CLI::Range(10, 100000));
    app.add_option("--blocks-x", spec.storm.blocks_x, "blocks along x")->check(CLI::Range(2, 1024));
    app.add_option("--blocks-y", spec.storm.blocks_y, "blocks along y")->check(CLI::Range(2, 1024));
    app.add_option("--base-us", spec.storm.base_us, "work per block per step outside the storm, us")
        ->check(CLI::Range(0.0, 1e6));
    app.add_option("--amplitude", spec.storm.amplitude, "extra work at the storm's eye, x base")
        ->check(CLI::Range(0.0, 1000.0));
    app.add_option("--radius", spec.storm.radius_blocks, "storm radius, blocks")->check(CLI::Range(0.1, 100.0));
    app.add_option("--crossings", spec.storm.crossings, "times the storm crosses the domain")
        ->check(CLI::Range(1, 1000));
    app.add_option("--block-cells", spec.block_cells,
                   "a block is N x N doubles: 32 (8 KiB, default), 64 (32 KiB) or 128 (128 KiB); moves send it, halo "
                   "reads copy it")
        ->check(CLI::IsMember(std::vector<int>(std::begin(kBlockCellChoices), std::end(kBlockCellChoices))));
    app.add_option("--epoch-every", spec.epoch_every, "steps between rebalance epochs")->check(CLI::Range(1, 1000));
    app.add_option("--strategies", strategy_list, "comma-separated strategies to compare")->delimiter(',');
    app.add_option("--shadows", shadow_modes, "comma-separated: off, on")->delimiter(',');
    app.add_option("--work", work, "how block work is executed: sleep (oversubscribed nodes) or spin")
        ->check(CLI::IsMember({"sleep", "spin"}));
    app.add_option("--json", json_path, "write the table as JSON to this file")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // jobs/run-demo.sh passes a default
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      int rank = 0;
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      const int code = rank == 0 ? app.exit(error) : (error.get_exit_code() == 0 ? 0 : 2);
      MPI_Finalize();
      return code == 0 ? 0 : 2;
    }
    spec.spin = work == "spin";
    const std::vector<std::string> known = penumbra::balance::strategy_names();
    for (const std::string& name : strategy_list)  // before any run, not halfway through the table
      if (std::find(known.begin(), known.end(), name) == known.end())
        throw penumbra::InvalidArgument(
            fmt::format("--strategies: '{}' is not a strategy (known: {})", name, fmt::join(known, ", ")));
    std::vector<bool> shadow_list;
    for (const std::string& mode : shadow_modes) {
      if (mode != "on" && mode != "off")
        throw penumbra::InvalidArgument(fmt::format("--shadows: '{}' (expected off, on or off,on)", mode));
      shadow_list.push_back(mode == "on");
    }

    penumbra::Config base = penumbra::Config::load();
    base.monitor.print_notice = false;
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (rank == 0)
      fmt::print(
          "hotspot: {} x {} blocks of {} KiB on {} ranks, {} steps, storm amplitude {}x, epoch every {} steps, "
          "work as {}\n\n",
          spec.storm.blocks_x, spec.storm.blocks_y, block_bytes(spec.block_cells) / 1024, ranks, spec.storm.steps,
          spec.storm.amplitude, spec.epoch_every, work);
    nlohmann::json runs = nlohmann::json::array();
    if (rank == 0)
      fmt::print("{:<12} {:>8} {:>9} {:>10} {:>8} {:>8} {:>10} {:>10}\n", "strategy", "shadows", "time [s]",
                 "imbalance", "epochs", "moved", "hit rate", "pred err");
    for (const std::string& strategy : strategy_list)
      for (bool with_shadows : shadow_list) {
        spec.strategy = strategy;
        spec.shadows = with_shadows;
        const RunResult result = run_with_block_size(MPI_COMM_WORLD, spec, base);
        if (rank != 0) continue;
        fmt::print("{:<12} {:>8} {:>9.3f} {:>10.3f} {:>8} {:>8} {:>9.1f}% {:>9.1f}%\n", strategy,
                   with_shadows ? "on" : "off", result.total_s, result.imbalance, result.epochs, result.objects_moved,
                   100.0 * result.shadow_hit_rate, 100.0 * result.prediction_error);
        std::fflush(stdout);
        runs.push_back({{"strategy", strategy},
                        {"shadows", with_shadows},
                        {"total_s", result.total_s},
                        {"imbalance", result.imbalance},
                        {"objects_moved", result.objects_moved},
                        {"bytes_moved", result.bytes_moved},
                        {"epochs", result.epochs},
                        {"shadow_hit_rate", result.shadow_hit_rate},
                        {"prediction_error", result.prediction_error},
                        {"domain_heat", result.domain_heat},
                        {"tasks_stolen", result.tasks_stolen},
                        {"read_only_tasks_on_copies", result.read_only_on_copies}});
      }
    if (rank == 0 && !runs.empty()) {
      const auto fastest = std::min_element(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
        return a["total_s"].template get<double>() < b["total_s"].template get<double>();
      });
      fmt::print("\nfastest: {} with shadows {}\n", (*fastest)["strategy"].get<std::string>(),
                 (*fastest)["shadows"].get<bool>() ? "on" : "off");
      if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << nlohmann::json{{"ranks", ranks},
                              {"steps", spec.storm.steps},
                              {"block_bytes", block_bytes(spec.block_cells)},
                              {"runs", runs}}
                   .dump(2)
            << "\n";
        if (!out) throw penumbra::InvalidArgument(fmt::format("--json: cannot write '{}'", json_path));
      }
    }
  } catch (const penumbra::Error& error) {
    std::fprintf(stderr, "hotspot: %s\n", error.what());
    status = 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "hotspot: %s\n", error.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
