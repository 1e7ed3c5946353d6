#pragma once
/// @file balance.hpp
/// Rebalancing strategies: pure planning functions over a snapshot of one epoch. Every strategy (static,
/// greedy, refine, predictive, oracle, and zoltan where built) reads the same EpochInput and returns a Plan,
/// so the runtime, the benchmarks and `penumbra-prof replay` run them interchangeably. No MPI here.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "penumbra/affinity.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra {

/// When and how the runtime rebalances. Config keys: `balance.<field>`.
struct BalanceOptions {
  /// `balance.strategy`: static | greedy | refine | predictive | oracle | zoltan (zoltan only where built).
  std::string strategy = "predictive";
  /// `balance.epoch_every`: run a rebalance epoch every K steps (0: only when triggered or called). [0, 1e9].
  std::int64_t epoch_every = 10;
  /// `balance.threshold`: also run an epoch when any rank's predicted load exceeds (1 + threshold) x the mean
  /// two steps running (one small allreduce per step). (0, 100].
  double threshold = 0.2;
  /// `balance.plan_target`: in every epoch `predictive` and `oracle` shed load from every rank above
  /// (1 + plan_target) x the mean, towards the mean, and fill no receiver past that: the threshold says when an
  /// epoch runs between the periodic ones, this how far every epoch balances. A value above the threshold acts as
  /// the threshold; plan_target = threshold moves objects only off ranks over the threshold. [0, 100].
  double plan_target = 0.05;
  /// `balance.horizon`: steps ahead the predictor forecasts for the plan. [1, 1000].
  std::int64_t horizon = 1;
  /// `balance.noise_sigmas`: `predictive` counts a rank as over the plan target (a donor) only where its
  /// prediction exceeds it by this many standard deviations of the forecast, and fills receivers only that far
  /// below the target. 0 (the default) acts on the expected load, the risk-neutral choice when moves are cheap next to
  /// an epoch of imbalance (measured in docs/rebalance.md: 0 beat 1 on moving loads and tied on noise); raise it when
  /// moves are expensive. [0, 10].
  double noise_sigmas = 0.0;
  /// `balance.travel_forecast`: at each epoch, plan an object on an upstream neighbour's recent past where its
  /// load is seen travelling along the declared dependencies and that forecast beat the object's own history
  /// on the recent past (docs/prediction.md, "Travelling loads"); off: per-object forecasts only.
  bool travel_forecast = true;
  /// `balance.overlap_moves`: an epoch posts its transfers and returns; they travel while the application works
  /// through the next step, during which the sources still own (and serve, and accept writes to) the objects,
  /// and owners change when that step ends (`Runtime::step`, or any collective that needs settled owners).
  /// Objects written meanwhile travel again then. Off: the epoch moves everything before it returns.
  bool overlap_moves = false;

  /// Throws ConfigError naming the first bad key, its value and the allowed range.
  void validate() const;
  bool operator==(const BalanceOptions&) const = default;
};

namespace balance {

/// Bytes an object exchanges with another object per step (halo reads): moving them apart costs this.
struct Edge {
  ObjectId other;
  double bytes_per_step = 0.0;
};

/// One object as the planner sees it.
struct ObjectState {
  ObjectId id;
  int owner = 0;
  std::uint64_t size_bytes = 0;        ///< what a move transfers
  double measured_cost = 0.0;          ///< seconds of work in the last epoch, on its owner
  double predicted_cost = 0.0;         ///< forecast seconds for the next epoch
  double next_cost = -1.0;             ///< true next-epoch cost; known only to benchmarks (oracle), else < 0
  std::vector<RankAccesses> accesses;  ///< who read/wrote it in the last epoch
  std::vector<Edge> edges;             ///< communication with other objects
};

/// One rank as the planner sees it.
struct RankState {
  int node = 0;                 ///< node index (ranks of a node settle among themselves first)
  double measured_load = 0.0;   ///< seconds of work last epoch
  double predicted_load = 0.0;  ///< forecast seconds next epoch (history + queued work)
  double uncertainty = 0.0;     ///< one standard deviation of the forecast
  double capacity = 0.0;        ///< seconds of work per epoch it can take (0: the mean predicted load)
  double speed = 1.0;           ///< relative processing speed (> 0)
};

/// Everything a strategy reads: the snapshot of one epoch, identical on every rank.
struct EpochInput {
  std::int64_t epoch = 0;
  std::vector<RankState> ranks;        ///< index = rank
  std::vector<ObjectState> objects;    ///< each id once
  double steps_until_next_epoch = 1;   ///< how long a plan's benefit lasts (Zoltan's PHG_REPART_MULTIPLIER)
  double bandwidth_bytes_per_s = 1e9;  ///< what a move costs per byte
  double threshold = 0.2;              ///< BalanceOptions::threshold
  double plan_target = 0.05;           ///< BalanceOptions::plan_target (a recorded epoch replays with its own)
};

/// Why an object moves.
enum class MoveReason : std::uint8_t { overload, affinity, rebalance, node_local };

/// One decided move.
struct PlannedMove {
  ObjectId id;
  int from = 0;
  int to = 0;
  std::uint64_t bytes = 0;
  MoveReason reason = MoveReason::rebalance;
  double gain = 0.0;  ///< the strategy's expected benefit (affinity score gain or load seconds saved)
};

/// What a strategy decided for one epoch.
struct Plan {
  std::vector<PlannedMove> moves;      ///< at most one per object, sorted by id
  std::vector<double> projected_load;  ///< per rank after the moves (by the strategy's own load view)
  int rounds = 1;                      ///< proposal/acceptance rounds the coordination needed
  std::uint64_t messages = 0;          ///< messages a distributed run of this plan exchanges
  double plan_seconds = 0.0;           ///< time spent deciding
};

/// What one rebalance epoch did (Runtime::rebalance, and the epochs `step()` runs). Identical on every rank
/// except the `local_*` fields.
struct EpochReport {
  std::int64_t epoch = 0;  ///< 1 for the first epoch
  std::int64_t step = 0;   ///< the step it ran after
  std::string trigger;     ///< periodic | threshold | manual
  std::string strategy;
  std::size_t objects_moved = 0;
  std::uint64_t bytes_moved = 0;
  /// Moved objects written while their transfer travelled (balance.overlap_moves): their values went twice.
  std::size_t objects_resent = 0;
  /// Whether the moves landed at the next step (balance.overlap_moves) rather than inside the epoch.
  bool overlapped = false;
  double measured_imbalance = 1.0;   ///< max / mean measured load per step over the window before the epoch
  double predicted_imbalance = 1.0;  ///< max / mean predicted load before the moves
  double projected_imbalance = 1.0;  ///< max / mean predicted load after the moves
  /// Sum over ranks of |load predicted at the previous epoch - load measured since| / sum of measured
  /// (0 at the first epoch).
  double prediction_error = 0.0;
  double snapshot_seconds = 0.0;  ///< gather the rows and assemble the input (this rank)
  double plan_seconds = 0.0;      ///< the strategy's decision (this rank)
  /// The migration's time in collective calls on this rank: for overlapped moves, starting them in the epoch
  /// and landing them a step later (the transfers themselves ran meanwhile).
  double move_seconds = 0.0;
  int rounds = 1;                 ///< Plan::rounds
};

/// A rebalancing strategy: deterministic (same input, same plan on every rank) and pure.
class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const noexcept = 0;
  /// Whether plan() reads the objects' predicted costs. The runtime computes the travelling-load forecast
  /// (balance.travel_forecast) only for a strategy that does, so a reactive one pays nothing for it.
  virtual bool plans_on_predicted_costs() const noexcept { return true; }
  /// The load whose spread the threshold trigger (balance.threshold) watches for this strategy: the one it
  /// plans on. A reactive strategy is triggered by overload it measured (after the fact, as Charm++'s balancers
  /// see it), a predictive one by overload it forecasts, the oracle by the true costs a benchmark declared;
  /// `none`: no threshold epochs (a strategy that never moves anything).
  enum class TriggerLoad : std::uint8_t { measured, predicted, declared, none };
  virtual TriggerLoad trigger_load() const noexcept {
    return plans_on_predicted_costs() ? TriggerLoad::predicted : TriggerLoad::measured;
  }
  /// Throws InvalidArgument naming the bad value for inconsistent input (owner out of range, duplicate id).
  virtual Plan plan(const EpochInput& input) const = 0;
};

/// The strategy called `name`. InvalidArgument naming the unknown name and listing the known ones.
std::unique_ptr<Strategy> make_strategy(std::string_view name, const BalanceOptions& options = {},
                                        const AffinityOptions& affinity = {});
/// Names make_strategy accepts in this build.
std::vector<std::string> strategy_names();

/// The owner of every object of `input` (in input order) once `plan` is applied. Throws InvariantViolation
/// naming the move when the plan moves an object the snapshot does not hold, moves one twice, moves it from a
/// rank that does not own it, or to its owner or a rank out of range. For tests, replays and debug checks.
std::vector<int> owners_after(const EpochInput& input, const Plan& plan);

}  // namespace balance
}  // namespace penumbra
