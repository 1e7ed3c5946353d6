// `greedy`: Charm++'s GreedyLB. Forgets the current placement and assigns every object again, heaviest
// measured cost first, each to the rank that is least loaded at that moment. Reactive (last epoch's
// measurements) and oblivious to where objects are, so it balances well and moves most objects (ENVIRONMENT.md:
// ~152 of 200 per call in Charm++'s lb_test).
#include <algorithm>
#include <numeric>
#include <queue>

#include "balance/plan_support.hpp"
#include "balance/strategies.hpp"

namespace penumbra::balance {
namespace {

class GreedyStrategy final : public Strategy {
 public:
  std::string_view name() const noexcept override { return "greedy"; }
  bool plans_on_predicted_costs() const noexcept override { return false; }  // measured costs only

  Plan plan(const EpochInput& input) const override {
    const auto start = std::chrono::steady_clock::now();
    // Named members, not a structured binding: clang before 16 cannot capture bindings in lambdas (fuzz build).
    const Prepared prepared = prepare(input, CostSource::measured);
    const ObjectIndex& index = prepared.index;
    const LoadView& view = prepared.view;
    // Work in rank-independent units (seconds on the owner x its speed), so faster ranks take more.
    std::vector<double> work(input.objects.size());
    for (std::size_t i = 0; i < work.size(); ++i) work[i] = view.cost[i] * view.speed[view.owner[i]];
    std::vector<std::uint32_t> order(input.objects.size());
    std::iota(order.begin(), order.end(), 0U);
    std::ranges::sort(order, [&](std::uint32_t a, std::uint32_t b) {
      return work[a] != work[b] ? work[a] > work[b] : input.objects[a].id < input.objects[b].id;
    });
    // Least loaded first; equal loads: the lower rank, so every rank computes the same plan.
    using Entry = std::pair<double, int>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> least_loaded;
    for (int p = 0; p < static_cast<int>(input.ranks.size()); ++p) least_loaded.emplace(view.background[p], p);
    std::vector<PlannedMove> moves;
    for (std::uint32_t object : order) {
      auto [load, rank] = least_loaded.top();
      least_loaded.pop();
      load += work[object] / view.speed[rank];
      least_loaded.emplace(load, rank);
      if (rank != view.owner[object])
        moves.push_back(make_move(input, object, rank, MoveReason::rebalance, view.cost[object]));
    }
    Plan plan = finish_plan(index, view, std::move(moves), 1, centralised_messages(input.ranks.size()));
    plan.plan_seconds = seconds_since(start);
    return plan;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_greedy_strategy() { return std::make_unique<GreedyStrategy>(); }

}  // namespace penumbra::balance
