#pragma once
// The migration manager of one rank: measures, predicts, decides when to rebalance (one small allreduce per
// step), and at an epoch gathers the snapshot rows from every rank, runs the configured strategy (every rank
// runs it on the same input, so all reach the same plan without a coordinator) and hands the runtime this
// rank's moves. The moves themselves go through the runtime's collective migration.
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mpi/communicator.hpp"
#include "mpi/sum_max.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/config.hpp"
#include "penumbra/load.hpp"
#include "penumbra/migration.hpp"
#include "penumbra/topology.hpp"
#include "rebalance/load_tracker.hpp"
#include "rebalance/trigger.hpp"

namespace penumbra::rebalance {

/// An object this rank owns, as the epoch needs it.
struct OwnedObject {
  ObjectId id;
  std::uint64_t size_bytes = 0;
};

/// When a phase of an epoch ran on this rank.
struct PhaseClock {
  std::chrono::steady_clock::time_point start{};
  double seconds = 0.0;
};

/// A decided epoch: the plan every rank computed and what this rank must send.
struct DecidedEpoch {
  balance::EpochInput input;
  balance::Plan plan;
  std::vector<Move> my_moves;
  balance::EpochReport report;  ///< all but what the migration measures: objects and bytes moved, move_seconds
  PhaseClock predict;           ///< this rank's forecasts (its rows)
  PhaseClock snapshot;          ///< the gathers and the assembly
  PhaseClock planning;          ///< the strategy
  /// Per rank, the load the previous epoch predicted for the interval that just ended (empty at the first).
  std::vector<double> previous_prediction;
  /// Per object of `input`, its recent per-step costs (what a moved object's new owner replays).
  std::vector<std::vector<double>> recent;
  /// Objects planned on a leader's past (the travelling-load forecast).
  std::size_t followed = 0;
};

class Rebalancer {
 public:
  Rebalancer(const Config& config, int rank);

  LoadMonitor& monitor() noexcept { return monitor_; }
  const balance::Strategy& strategy() const noexcept { return *strategy_; }

  /// Communication between two objects, in bytes per step (halo exchange); 0 removes it. Persistent.
  void declare_dependency(ObjectId a, ObjectId b, double bytes_per_step);
  /// The true cost per step of `id` over the next epoch (benchmarks only, for the oracle strategy).
  void declare_next_cost(ObjectId id, double seconds_per_step);

  /// Collective. Ends a step: closes the monitor's epoch, feeds the predictor, and agrees (one allreduce)
  /// whether a rebalance epoch is due.
  Trigger end_step(const mpi::Communicator& comm, std::int64_t step, std::span<const ObjectId> owned,
                   const std::function<bool(ObjectId)>& owns);

  /// Collective. Gathers the snapshot and plans. `owned`: this rank's live objects.
  DecidedEpoch decide(const mpi::Communicator& comm, const Topology& topology, Trigger trigger, std::int64_t step,
                      std::span<const OwnedObject> owned);

  /// Once `epoch` is decided (its moves started): the measurement window restarts.
  void after_epoch(const DecidedEpoch& epoch);
  /// Once the moves of `epoch` landed: the series of the objects this rank received follow them (the snapshot
  /// carried their recent costs), those it sent are forgotten. A move may land steps after its epoch.
  void objects_moved(const DecidedEpoch& epoch, std::span<const ObjectId> sent, std::span<const ObjectId> received);

  std::int64_t epochs() const noexcept { return epochs_; }
  /// Per rank, the load per step the last epoch's plan left it with (empty before the first epoch): what
  /// task placement breaks ties with.
  std::vector<double> predicted_step_loads() const;

 private:
  /// This rank's load per step as the strategy's threshold trigger watches it (Strategy::trigger_load).
  double trigger_load(std::span<const ObjectId> owned) const;
  double steps_per_epoch() const noexcept;  // the period the snapshot's per-epoch figures cover
  BalanceOptions balance_;
  double bandwidth_bytes_per_s_;  // affinity.default_bandwidth: what the plan charges a move and a cut edge per byte
  int rank_;
  LoadMonitor monitor_;
  LoadTracker tracker_;
  std::unique_ptr<balance::Strategy> strategy_;
  mpi::SumMaxReducer sum_max_;
  std::map<std::pair<ObjectId, ObjectId>, double> dependencies_;
  std::unordered_map<ObjectId, double> next_costs_;
  std::int64_t epochs_ = 0;
  std::int64_t last_epoch_step_ = 0;
  int steps_over_threshold_ = 0;      // consecutive steps whose spread was over the threshold (trigger.hpp)
  double trigger_bar_ = 1.0;          // trigger_reference after the last epoch: a threshold epoch must see worse
  // The trigger's imbalance at the last step; NaN before the first (trigger_reference then takes the plan's).
  double watched_imbalance_ = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> predicted_after_last_epoch_;  // per rank, for the next epoch's prediction error
};

/// Predicted load per rank once `plan` is applied to `input` (sum of predicted costs of the objects each rank
/// then owns). Pure.
std::vector<double> predicted_loads_after(const balance::EpochInput& input, const balance::Plan& plan);
/// max / mean of `loads` (1 when all are 0).
double imbalance_of(std::span<const double> loads);

}  // namespace penumbra::rebalance
