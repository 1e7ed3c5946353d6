#pragma once
// penumbra-bench-rebalance's MPI mode: one workload, every strategy, in the same run and on the same seed.
// Objects in contiguous blocks over the ranks exchange halos with their ring or 2-D mesh neighbours through
// rt.read (so a move has a communication cost), and each does the work of a synthetic load pattern
// (load_patterns.hpp) every step, as sleep (honest on an oversubscribed node) or spin.
#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace penumbra::bench {

inline constexpr std::array<int, 5> kObjectKibChoices = {4, 16, 64, 256, 1024};

struct MpiRebalanceOptions {
  std::string pattern = "moving-hotspot";  ///< trend, periodic, moving-hotspot, random-walk, noise, phase-change
  int objects = 0;                         ///< total objects (0: 16 per rank)
  int steps = 80;
  int epoch_every = 10;
  std::string topology = "ring";  ///< ring or mesh
  /// Size of every object (one of kObjectKibChoices): each halo read copies it, each move sends it. 4 KiB makes
  /// moves nearly free on one node; an application's blocks are often hundreds of KiB to MiBs.
  int object_kib = 4;
  bool spin = false;              ///< execute work as spin instead of sleep
  double work_scale = 1.0;        ///< multiplies the pattern's 0.5-1.5 ms per object per step
  std::uint64_t seed = 1;
  /// Runs of every strategy, interleaved (strategy A, B, ..., then A, B, ... again) so that a slow spell of an
  /// oversubscribed machine hits all strategies alike; each strategy reports its median run by total time.
  int repeat = 1;
  std::vector<std::string> strategies = {"static", "greedy", "refine", "predictive", "oracle"};
};

/// A row of the comparison: a strategy, and "NAME+overlap" for its moves travelling during the next step
/// (balance.overlap_moves) instead of inside the epoch.
struct Variant {
  std::string strategy;
  bool overlap = false;
};
inline constexpr std::string_view kOverlapSuffix = "+overlap";
inline Variant variant_of(const std::string& name) {
  if (name.ends_with(kOverlapSuffix)) return {name.substr(0, name.size() - kOverlapSuffix.size()), true};
  return {name, false};
}

/// Where a run's wall time went, summed over steps. Every step ends in rt.step()'s allreduce, so the slowest
/// rank's tasks set its length, and total_s = the mean rank's declared work + task_excess_s + imbalance_s +
/// outside_tasks_s.
struct TimeBreakdown {
  double task_excess_s = 0.0;    ///< mean rank's task time beyond its declared work: reads, writes, waits, wake-ups
  double imbalance_s = 0.0;      ///< busiest rank's task time beyond the mean rank's: what balancing can remove
  double outside_tasks_s = 0.0;  ///< step()'s collectives and the epochs (epoch_overhead_s is part of it)
};

struct MpiStrategyResult {
  std::string name;
  double total_s = 0.0;         ///< wall time of all steps (epochs included)
  /// Wall time per step after the first epoch's step (epochs included): the steady state, which is what
  /// Charm++'s lb_test reports. Equal to total_s / steps when the run has no step after the first epoch.
  double steady_s_per_step = 0.0;
  double mean_imbalance = 1.0;  ///< mean over steps of (max / mean) measured work per rank
  double max_imbalance = 1.0;   ///< worst step
  std::uint64_t objects_moved = 0;
  std::uint64_t bytes_moved = 0;
  std::size_t epochs = 0;
  double epoch_overhead_s = 0.0;    ///< snapshot + plan + move, summed over epochs (slowest rank of each phase)
  double plan_s = 0.0;              ///< of which planning
  double prediction_error = 0.0;    ///< mean over epochs after the first (EpochReport::prediction_error)
  std::vector<double> run_times_s;  ///< total_s of every run, in run order (the row is the median one)
  TimeBreakdown time;               ///< of the median run
};

struct MpiRebalanceRun {
  /// The pattern's work, each step spread perfectly over the ranks, or its largest object where that is
  /// longer (an object is not split): no placement's tasks take less, whatever the strategy.
  double balanced_work_s = 0.0;
  double mean_work_s = 0.0;  ///< the work alone spread perfectly: the first term of every strategy's total
  std::vector<MpiStrategyResult> strategies;
};

/// Collective over `comm`. Throws InvalidArgument naming a bad option.
MpiRebalanceRun run_mpi_rebalance(MPI_Comm comm, const MpiRebalanceOptions& options);

}  // namespace penumbra::bench
