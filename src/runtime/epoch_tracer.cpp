#include "runtime/epoch_tracer.hpp"

#include <unistd.h>

#include <algorithm>

#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"

namespace penumbra::runtime {
namespace {

trace::Trigger to_trace(rebalance::Trigger trigger) {
  switch (trigger) {
    case rebalance::Trigger::threshold:
      return trace::Trigger::threshold;
    case rebalance::Trigger::manual:
      return trace::Trigger::manual;
    default:
      return trace::Trigger::periodic;
  }
}

RankCounters operator-(const RankCounters& a, const RankCounters& b) {
  return {a.shadow_hits - b.shadow_hits,           a.shadow_misses - b.shadow_misses,
          a.shadows_created - b.shadows_created,   a.shadows_dropped - b.shadows_dropped,
          a.metadata_lookups - b.metadata_lookups, a.metadata_updates - b.metadata_updates};
}

}  // namespace

EpochTracer::EpochTracer(const mpi::Communicator& comm, const Config& config, const Topology& topology)
    : enabled_(config.trace.enabled()), start_(std::chrono::steady_clock::now()) {
  if (!enabled_) return;
  const double unix_now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Only rank 0 writes, so the default run name is built from rank 0's pid and clock.
  mpi::run_agreed(comm, [&] {
    if (comm.rank() == 0)
      writer_.emplace(config.trace.dir, trace::run_header(config, comm.size(), topology.node_count(), unix_now,
                                                          static_cast<long>(getpid())));
  });
}

void EpochTracer::record(const mpi::Communicator& comm, const rebalance::DecidedEpoch& epoch,
                         rebalance::Trigger trigger, const EpochClocks& clocks, const RankCounters& totals,
                         std::span<const std::int64_t> versions_behind) {
  if (!enabled_) return;
  const RankCounters delta = totals - last_;
  last_ = totals;
  const std::vector<RankCounters> ranks = mpi::allgather(comm, delta);
  std::vector<std::int64_t> lags = mpi::allgatherv<std::int64_t>(comm, versions_behind);
  mpi::run_agreed(comm, [&] {
    if (comm.rank() != 0) return;
    const auto since_start = [&](const rebalance::PhaseClock& clock) {
      return trace::PhaseTiming{std::chrono::duration<double>(clock.start - start_).count(), clock.seconds};
    };
    trace::EpochRecord record;
    record.epoch = epoch.report.epoch;
    record.step = epoch.report.step;
    record.trigger = to_trace(trigger);
    record.phase(trace::Phase::snapshot) = since_start(epoch.snapshot);
    record.phase(trace::Phase::predict) = since_start(epoch.predict);
    record.phase(trace::Phase::plan) = since_start(epoch.planning);
    record.phase(trace::Phase::move) = since_start(clocks.move);
    record.phase(trace::Phase::metadata) = since_start(clocks.metadata);
    for (std::size_t r = 0; r < ranks.size(); ++r) {
      trace::RankRecord rank;
      rank.actual_load = epoch.input.ranks[r].measured_load;
      rank.predicted_load = r < epoch.previous_prediction.size() ? epoch.previous_prediction[r] : 0.0;
      rank.shadow_hits = ranks[r].shadow_hits;
      rank.shadow_misses = ranks[r].shadow_misses;
      rank.shadows_created = ranks[r].shadows_created;
      rank.shadows_dropped = ranks[r].shadows_dropped;
      rank.metadata_lookups = ranks[r].metadata_lookups;
      rank.metadata_updates = ranks[r].metadata_updates;
      record.ranks.push_back(rank);
    }
    if (!epoch.previous_prediction.empty()) record.prediction_error = trace::prediction_error(record.ranks);
    if (!lags.empty()) {  // nearest-rank percentiles over every copy in the job
      std::sort(lags.begin(), lags.end());
      const auto percentile = [&](double p) {
        return static_cast<double>(lags[static_cast<std::size_t>(p * static_cast<double>(lags.size() - 1) + 0.5)]);
      };
      record.staleness_p50 = percentile(0.50);
      record.staleness_p99 = percentile(0.99);
    }
    record.moves = epoch.plan.moves;  // the migration is all or nothing: it ran every planned move
    record.input = epoch.input;
    record.strategy = epoch.report.strategy;
    record.plan = epoch.plan;
    writer_->append(record);
  });
}

}  // namespace penumbra::runtime
