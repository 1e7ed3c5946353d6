#pragma once
// The runtime's side of the epoch trace (trace.hpp, docs/trace-format.md): after each rebalance epoch every
// rank contributes its counters (one small allgather) and rank 0 appends the record, with the planner's input
// and plan, to the run's trace file. Off (no collective at all) unless `trace.dir` or PENUMBRA_TRACE is set.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mpi/communicator.hpp"
#include "penumbra/config.hpp"
#include "penumbra/topology.hpp"
#include "penumbra/trace.hpp"
#include "rebalance/rebalancer.hpp"

namespace penumbra::runtime {

/// What one rank counted since the runtime started (the tracer turns totals into per-epoch deltas).
struct RankCounters {
  std::uint64_t shadow_hits = 0;
  std::uint64_t shadow_misses = 0;
  std::uint64_t shadows_created = 0;
  std::uint64_t shadows_dropped = 0;
  std::uint64_t metadata_lookups = 0;
  std::uint64_t metadata_updates = 0;
};

/// The phases the runtime times itself (the rebalancer times predict, snapshot and plan).
struct EpochClocks {
  rebalance::PhaseClock move;
  rebalance::PhaseClock metadata;
};

class EpochTracer {
 public:
  /// Collective. Rank 0 opens the trace file; a failure there (TraceError naming the file) is thrown on every
  /// rank.
  EpochTracer(const mpi::Communicator& comm, const Config& config, const Topology& topology);
  bool enabled() const noexcept { return enabled_; }

  /// Collective when enabled. `totals`: this rank's counters now; `versions_behind`: the lag of each copy of
  /// this rank's objects, taken before the epoch pushed pending versions.
  void record(const mpi::Communicator& comm, const rebalance::DecidedEpoch& epoch, rebalance::Trigger trigger,
              const EpochClocks& clocks, const RankCounters& totals, std::span<const std::int64_t> versions_behind);

 private:
  bool enabled_ = false;
  std::optional<trace::TraceWriter> writer_;  // rank 0 only
  std::chrono::steady_clock::time_point start_;
  RankCounters last_;
};

}  // namespace penumbra::runtime
