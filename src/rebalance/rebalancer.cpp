#include "rebalance/rebalancer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"
#include "rebalance/epoch_rows.hpp"
#include "rebalance/travelling_forecasts.hpp"

namespace penumbra::rebalance {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One line per job is enough: every rank of a job usually has the same load source.
MonitorOptions notice_on_rank_zero(MonitorOptions options, int rank) {
  options.print_notice = options.print_notice && rank == 0;
  return options;
}

}  // namespace

std::vector<double> predicted_loads_after(const balance::EpochInput& input, const balance::Plan& plan) {
  const std::vector<int> owners = balance::owners_after(input, plan);
  std::vector<double> loads(input.ranks.size(), 0.0);
  for (std::size_t i = 0; i < input.objects.size(); ++i)
    loads[static_cast<std::size_t>(owners[i])] += input.objects[i].predicted_cost;
  return loads;
}

double imbalance_of(std::span<const double> loads) {
  if (loads.empty()) return 1.0;
  const double sum = std::accumulate(loads.begin(), loads.end(), 0.0);
  const double max = *std::max_element(loads.begin(), loads.end());
  return sum > 0.0 ? max / (sum / static_cast<double>(loads.size())) : 1.0;
}

Rebalancer::Rebalancer(const Config& config, int rank)
    : balance_(config.balance),
      bandwidth_bytes_per_s_(config.affinity.default_bandwidth),
      rank_(rank),
      monitor_(rank, notice_on_rank_zero(config.monitor, rank)),
      tracker_(rank, config.predictor, static_cast<int>(config.balance.horizon)),
      strategy_(balance::make_strategy(config.balance.strategy, config.balance, config.affinity)) {}

double Rebalancer::steps_per_epoch() const noexcept {
  // Without a period, the plan is for the horizon the forecasts cover.
  return static_cast<double>(balance_.epoch_every > 0 ? balance_.epoch_every : balance_.horizon);
}

void Rebalancer::declare_dependency(ObjectId a, ObjectId b, double bytes_per_step) {
  const auto key = std::minmax(a, b);
  if (bytes_per_step <= 0.0)
    dependencies_.erase(key);
  else
    dependencies_[key] = bytes_per_step;
}

void Rebalancer::declare_next_cost(ObjectId id, double seconds_per_step) { next_costs_[id] = seconds_per_step; }

Trigger Rebalancer::end_step(const mpi::Communicator& comm, std::int64_t step, std::span<const ObjectId> owned,
                             const std::function<bool(ObjectId)>& owns) {
  tracker_.observe_step(monitor_.reset_epoch(), owns);
  const mpi::SumMax spread = sum_max_(comm, trigger_load(owned));
  // A strategy that never moves gets no threshold epochs: an imbalance it is sure to leave as it is.
  const bool thresholds = strategy_->trigger_load() != balance::Strategy::TriggerLoad::none;
  const LoadSpread watched{spread.sum, spread.max, comm.size()};
  watched_imbalance_ = watched.imbalance();
  const bool over =
      over_threshold(balance_.threshold, watched, thresholds ? trigger_bar_ : std::numeric_limits<double>::infinity());
  steps_over_threshold_ = over ? steps_over_threshold_ + 1 : 0;
  return decide_trigger(step, balance_.epoch_every, step - last_epoch_step_, steps_over_threshold_);
}

double Rebalancer::trigger_load(std::span<const ObjectId> owned) const {
  switch (strategy_->trigger_load()) {
    case balance::Strategy::TriggerLoad::measured:
    case balance::Strategy::TriggerLoad::none:  // watched for the allreduce every rank joins; never triggers
      return tracker_.measured_load_per_step();
    case balance::Strategy::TriggerLoad::declared: {
      double declared = 0.0;
      bool any = false;
      for (ObjectId id : owned)
        if (const auto found = next_costs_.find(id); found != next_costs_.end()) {
          declared += found->second;
          any = true;
        }
      if (any) return declared;
      break;  // nothing declared (not a benchmark): the forecast
    }
    case balance::Strategy::TriggerLoad::predicted:
      break;
  }
  return tracker_.forecast_rank(owned).per_step;
}

DecidedEpoch Rebalancer::decide(const mpi::Communicator& comm, const Topology& topology, Trigger trigger,
                                std::int64_t step, std::span<const OwnedObject> owned) {
  DecidedEpoch decided;
  decided.predict.start = std::chrono::steady_clock::now();
  // The snapshot's unit is seconds per epoch (balance.hpp): a move's transfer is paid once, its gain every step
  // until the next epoch. The tracker measures and forecasts per step.
  const double per_epoch = steps_per_epoch();
  std::vector<ObjectId> owned_ids;
  std::vector<ObjectRow> object_rows;
  for (const OwnedObject& object : owned) {
    owned_ids.push_back(object.id);
    const CostForecast forecast = tracker_.forecast(object.id);
    auto next = next_costs_.find(object.id);
    ObjectRow row{.id = object.id,
                  .owner = rank_,
                  .size_bytes = object.size_bytes,
                  .measured_cost = tracker_.measured_cost_per_step(object.id) * per_epoch,
                  .predicted_cost = forecast.per_step * per_epoch,
                  .next_cost = next == next_costs_.end() ? -1.0 : next->second * per_epoch};
    const std::vector<double> recent = tracker_.recent_costs(object.id);
    row.recent_steps = static_cast<std::uint32_t>(std::min(recent.size(), kRecentSteps));
    std::copy_n(recent.end() - row.recent_steps, row.recent_steps, row.recent.begin());
    object_rows.push_back(row);
  }
  const CostForecast rank_forecast = tracker_.forecast_rank(owned_ids);
  const RankRow my_row{.node = topology.node_of(rank_),
                       .measured_load = tracker_.measured_load_per_step() * per_epoch,
                       .predicted_load = rank_forecast.per_step * per_epoch,
                       .uncertainty = rank_forecast.uncertainty * per_epoch,
                       .speed = 1.0};
  std::vector<EdgeRow> edge_rows;
  for (const auto& [pair, bytes] : dependencies_)
    edge_rows.push_back({.from = pair.first, .to = pair.second, .bytes_per_step = bytes});
  const std::vector<AccessRow> access_rows = tracker_.access_rows();
  decided.predict.seconds = seconds_since(decided.predict.start);
  decided.snapshot.start = std::chrono::steady_clock::now();

  // Two collective rounds for the whole snapshot (the rank rows with the counts, then every row), not one per kind.
  const auto gathered = mpi::allgather_sections<RankRow, ObjectRow, AccessRow, EdgeRow>(
      comm, my_row, object_rows, access_rows, edge_rows);
  const std::vector<RankRow>& ranks = gathered.heads;
  const auto& [objects, accesses, edges] = gathered.rows;
  decided.input = assemble_epoch_input(ranks, objects, accesses, edges,
                                       {.epoch = epochs_ + 1,
                                        .steps_until_next_epoch = per_epoch,
                                        .bandwidth_bytes_per_s = bandwidth_bytes_per_s_,
                                        .threshold = balance_.threshold,
                                        .plan_target = balance_.plan_target});
  decided.recent = recent_costs_of(decided.input, objects);
  // Only for a strategy that reads the forecasts: the reactive ones (and their benchmark times) do not pay for it.
  // Every rank applies the same gathered rows to the same input, so all still plan on the same snapshot.
  if (balance_.travel_forecast && strategy_->plans_on_predicted_costs()) {
    // Each rank forecasts its own objects (every object's history is a leader), one allgatherv shares them:
    // replicated, the forecast cost every rank the whole job's work (12 ms per epoch at 8 ranks, 128 objects).
    // One row per owned object, in the order of this rank's object rows, so every rank already knows each
    // rank's count from the snapshot and the rows need one collective round, not two.
    const std::vector<FollowerRow> mine = one_row_per_object(
        owned_ids, travelling_forecasts_of(decided.input, decided.recent, per_epoch,
                                           static_cast<int>(balance_.horizon), rank_));
    std::vector<std::int64_t> counts;
    for (const auto& rank_counts : gathered.counts) counts.push_back(rank_counts[0]);
    const std::vector<FollowerRow> all = mpi::allgatherv_known<FollowerRow>(comm, mine, counts);
    decided.followed = apply_follower_rows(decided.input, all);
  }
  decided.snapshot.seconds = seconds_since(decided.snapshot.start);

  decided.planning.start = std::chrono::steady_clock::now();
  // Every rank plans on the same input, so a failure (inconsistent input) is the same everywhere; agreeing on
  // it anyway means a rank-local failure (memory) cannot leave the others waiting in the migration.
  mpi::run_agreed(comm, [&] { decided.plan = strategy_->plan(decided.input); });
  decided.planning.seconds = seconds_since(decided.planning.start);
  for (const balance::PlannedMove& move : decided.plan.moves)
    if (move.from == rank_) decided.my_moves.push_back({move.id, move.to});

  std::vector<double> measured, predicted;
  for (const balance::RankState& state : decided.input.ranks) {
    measured.push_back(state.measured_load);
    predicted.push_back(state.predicted_load);
  }
  balance::EpochReport& report = decided.report;
  report.epoch = epochs_ + 1;
  report.step = step;
  report.trigger = std::string(to_string(trigger));
  report.strategy = std::string(strategy_->name());
  report.measured_imbalance = imbalance_of(measured);
  report.predicted_imbalance = imbalance_of(predicted);
  const std::vector<double> after = predicted_loads_after(decided.input, decided.plan);
  report.projected_imbalance = imbalance_of(after);
  if (predicted_after_last_epoch_.size() == measured.size()) {
    double error = 0.0, total = 0.0;
    for (std::size_t r = 0; r < measured.size(); ++r) {
      error += std::abs(predicted_after_last_epoch_[r] - measured[r]);
      total += measured[r];
    }
    report.prediction_error = total > 0.0 ? error / total : 0.0;
  }
  report.snapshot_seconds = decided.predict.seconds + decided.snapshot.seconds;
  report.plan_seconds = decided.planning.seconds;
  report.rounds = decided.plan.rounds;
  decided.previous_prediction = std::move(predicted_after_last_epoch_);
  predicted_after_last_epoch_ = after;
  return decided;
}

void Rebalancer::after_epoch(const DecidedEpoch& epoch) {
  tracker_.reset_window();
  next_costs_.clear();
  ++epochs_;
  last_epoch_step_ = epoch.report.step;
  steps_over_threshold_ = 0;  // measured against what this epoch's plan leaves from now on
  trigger_bar_ =
      trigger_reference(watched_imbalance_, epoch.report.predicted_imbalance, epoch.report.projected_imbalance);
}

void Rebalancer::objects_moved(const DecidedEpoch& epoch, std::span<const ObjectId> sent,
                               std::span<const ObjectId> received) {
  for (ObjectId id : sent) tracker_.object_left(id);
  if (received.empty()) return;
  std::unordered_map<ObjectId, std::size_t> position;
  for (std::size_t i = 0; i < epoch.input.objects.size(); ++i) position[epoch.input.objects[i].id] = i;
  for (ObjectId id : received) {
    // The series travels with the object: its recent costs came in the snapshot.
    const std::size_t i = position.at(id);
    const std::span<const double> recent =
        i < epoch.recent.size() ? std::span<const double>(epoch.recent[i]) : std::span<const double>();
    tracker_.object_arrived(id, recent, epoch.input.objects[i].predicted_cost / steps_per_epoch());
  }
}

std::vector<double> Rebalancer::predicted_step_loads() const {
  std::vector<double> loads = predicted_after_last_epoch_;  // per epoch
  for (double& load : loads) load /= steps_per_epoch();
  return loads;
}

}  // namespace penumbra::rebalance
