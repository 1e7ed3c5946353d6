// `predictive` (ours) and `oracle`: plan on the next epoch's load instead of the last one's.
//
// Every rank whose predicted load, less noise_sigmas standard deviations of its forecast, is above (1 + target) x its
// reference (the mean) is a donor, where target = min(balance.plan_target, threshold): the threshold decides when the
// runtime's trigger asks for an epoch between the periodic ones, the target how far every epoch balances (target =
// threshold: only overloads are fixed). A donor offers its objects by benefit per byte (candidates.hpp), each aimed at
// the rank its affinity points to; the migration managers' protocol (coordination.hpp) settles the moves inside nodes
// first, then across growing groups of nodes. Receivers are filled towards the mean but never past (1 + target) x mean
// less their own margin (hysteresis: a move must not make a receiver the next donor, or objects would ping-pong), and a
// move that does not pay back its transfer and the communication it makes remote before the next epoch is not made.
// `oracle` runs the same planner on next_cost, the true next-epoch cost (benchmarks only), with no uncertainty.
#include <fmt/format.h>

#include <algorithm>

#include "balance/affinity_targets.hpp"
#include "balance/candidates.hpp"
#include "balance/coordination.hpp"
#include "balance/plan_support.hpp"
#include "balance/strategies.hpp"

namespace penumbra::balance {
namespace {

class PredictiveStrategy final : public Strategy {
 public:
  // `noise_sigmas`: standard deviations of the forecast a rank must exceed the threshold by before it sheds
  // load (balance.noise_sigmas); the oracle knows the future and uses none.
  PredictiveStrategy(const AffinityOptions& affinity, bool oracle, double noise_sigmas)
      : calculator_(affinity), oracle_(oracle), noise_sigmas_(oracle ? 0.0 : noise_sigmas) {}

  std::string_view name() const noexcept override { return oracle_ ? "oracle" : "predictive"; }
  // The oracle plans on next_cost; it reads a rank's predicted load only for the background work, which the
  // travelling-load forecast leaves unchanged.
  bool plans_on_predicted_costs() const noexcept override { return !oracle_; }
  TriggerLoad trigger_load() const noexcept override { return oracle_ ? TriggerLoad::declared : TriggerLoad::predicted; }

  Plan plan(const EpochInput& input) const override {
    const auto start = std::chrono::steady_clock::now();
    const CostSource source = oracle_ ? CostSource::next : CostSource::predicted;
    // Named members, not a structured binding: clang before 16 cannot capture bindings in lambdas (fuzz build).
    const Prepared prepared = prepare(input, source);
    const ObjectIndex& index = prepared.index;
    const LoadView& view = prepared.view;
    const int ranks = static_cast<int>(input.ranks.size());

    CoordinationInput protocol;
    protocol.ranks.resize(ranks);
    std::vector<double> excess;
    double largest_room = 0.0;  // the most work (seconds x speed) a receiver can take: larger offers cannot move
    // An excess over the target is shed in every epoch, not only in one with a rank over the threshold. The
    // excess of a rank that no overload comes to fix is as real as an overload's when the forecast holds (objects
    // of different costs, a drift): it costs every step until something moves it, and a few moves fix it, which
    // the gain and payback checks and the receivers' limit keep from chasing noise (docs/rebalance.md,
    // "Fourteenth session": on `noise`, `trend`, `phase-change` and lb_test's random loads 2-15 objects a run took
    // the imbalance from 1.08-1.15 to 1.04-1.11).
    const double tolerance = std::min(input.plan_target, input.threshold);
    for (int p = 0; p < ranks; ++p) {
      const double noise = noise_sigmas_ * view.uncertainty[p];
      const double limit = (1.0 + tolerance) * view.reference[p];
      protocol.ranks[p] = RankBudget{input.ranks[p].node,       view.load[p],  view.reference[p],
                                     view.reference[p] - noise, limit - noise, view.speed[p]};
      if (view.load[p] - noise > limit) {
        protocol.donors.push_back(p);
        excess.push_back(view.load[p] - view.reference[p]);
      } else {
        largest_room = std::max(largest_room, (protocol.ranks[p].limit - view.load[p]) * view.speed[p]);
      }
    }
    std::vector<PlannedMove> moves;
    int rounds = 0;
    std::uint64_t messages = 0;
    if (!protocol.donors.empty()) {
      DonorOffers offers = select_candidates(input, index, view, protocol.donors, excess, largest_room);
      set_preferred_targets(input, index, view, calculator_, excess, offers);
      protocol.candidates = std::move(offers.candidates);
      protocol.gain = [&](std::size_t donor_slot, std::size_t candidate, int target) {
        const Candidate& c = protocol.candidates[donor_slot][candidate];
        return move_gain(input, c.cost, c.object, offers.neighbourhoods[donor_slot][candidate], target);
      };
      CoordinationResult result = coordinate(protocol);
      for (std::size_t m = 0; m < result.moves.size(); ++m) {
        PlannedMove move = result.moves[m];
        const ObjectState& object = input.objects[result.objects[m]];
        move.id = object.id;
        move.bytes = object.size_bytes;
        moves.push_back(move);
      }
      rounds = result.rounds;
      messages = result.messages;
    }
    Plan plan = finish_plan(index, view, std::move(moves), rounds, messages);
    plan.plan_seconds = seconds_since(start);
    return plan;
  }

 private:
  AffinityCalculator calculator_;
  bool oracle_;
  double noise_sigmas_;
};

}  // namespace

std::unique_ptr<Strategy> make_predictive_strategy(const BalanceOptions& options, const AffinityOptions& affinity,
                                                   bool oracle) {
  // Threshold, plan target and horizon reach the planner through EpochInput (the same on replay).
  return std::make_unique<PredictiveStrategy>(affinity, oracle, options.noise_sigmas);
}

}  // namespace penumbra::balance
