#pragma once
// penumbra-bench-rebalance --simulate: the planning functions of every strategy at 64 to 65,536 virtual
// partitions in one process, no MPI. See rebalance_simulate.cpp for the workload.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace penumbra::bench {

struct SimulateOptions {
  std::vector<int> partitions{64, 256, 1024, 4096, 16384, 65536};
  int epochs = 4;           ///< planning epochs measured per partition count (after two of history)
  int ranks_per_node = 16;  ///< partitions per (virtual) node
  double threshold = 0.2;   ///< BalanceOptions::threshold
  std::vector<std::string> strategies{"static", "greedy", "refine", "predictive", "oracle"};
};

/// One (partition count, strategy): means over the measured epochs.
struct SimulateRow {
  int partitions = 0;
  std::uint64_t objects = 0;
  std::string strategy;
  double plan_s = 0.0;         ///< wall time of Strategy::plan per epoch (validation included)
  double plan_s_max = 0.0;     ///< slowest epoch
  double imbalance = 0.0;      ///< max / mean of the true epoch load after the plan
  double objects_moved = 0.0;  ///< per epoch
  double rounds = 0.0;         ///< per epoch
  double messages = 0.0;       ///< per epoch
};

/// Runs every partition count and strategy; `on_row` sees each row as soon as it is measured.
std::vector<SimulateRow> run_simulation(const SimulateOptions& options,
                                        const std::function<void(const SimulateRow&)>& on_row);

}  // namespace penumbra::bench
