// `refine`: Charm++'s RefineLB. Keeps the placement and moves the fewest objects it can off the ranks whose
// measured load is above (1 + threshold) x their reference (the mean, with equal speeds and no capacities):
// the most overloaded rank gives the largest object that fits under the limit of the rank with the most room,
// until no overloaded rank can give anything. Reactive: it sees the overload once it has happened.
#include <algorithm>
#include <queue>

#include "balance/plan_support.hpp"
#include "balance/strategies.hpp"

namespace penumbra::balance {
namespace {

class RefineStrategy final : public Strategy {
 public:
  std::string_view name() const noexcept override { return "refine"; }
  bool plans_on_predicted_costs() const noexcept override { return false; }  // measured costs only

  Plan plan(const EpochInput& input) const override {
    const auto start = std::chrono::steady_clock::now();
    // Named members, not a structured binding: clang before 16 cannot capture bindings in lambdas (fuzz build).
    const Prepared prepared = prepare(input, CostSource::measured);
    const ObjectIndex& index = prepared.index;
    const LoadView& view = prepared.view;
    const int ranks = static_cast<int>(input.ranks.size());
    std::vector<double> load = view.load, limit(ranks);
    for (int p = 0; p < ranks; ++p) limit[p] = (1.0 + input.threshold) * view.reference[p];

    // (excess, rank): most overloaded first; (room below the reference, rank): most room first. Ties go to
    // the lower rank, so every rank computes the same plan.
    using Entry = std::pair<double, int>;
    const auto later = [](const Entry& a, const Entry& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(later)> donors(later), receivers(later);
    for (int p = 0; p < ranks; ++p) {
      if (load[p] > limit[p]) donors.emplace(load[p] - limit[p], p);
      if (load[p] < view.reference[p]) receivers.emplace(view.reference[p] - load[p], p);
    }
    // Only overloaded ranks give objects: their lists, cheapest first, built for them alone.
    std::vector<std::vector<std::uint32_t>> givable(ranks);
    if (!donors.empty()) {
      const auto by_rank = objects_by_rank(view.owner, input.ranks.size());
      for (int p = 0; p < ranks; ++p) {
        if (!(load[p] > limit[p])) continue;
        givable[p] = by_rank[p];
        std::ranges::sort(givable[p], [&](std::uint32_t a, std::uint32_t b) {
          return view.cost[a] != view.cost[b] ? view.cost[a] < view.cost[b] : input.objects[a].id < input.objects[b].id;
        });
      }
    }

    std::vector<PlannedMove> moves;
    while (!donors.empty() && !receivers.empty()) {
      const int donor = donors.top().second;
      donors.pop();
      const int receiver = receivers.top().second;
      // The largest object that keeps the receiver under its limit (cost scaled to the receiver's speed).
      const double room = (limit[receiver] - load[receiver]) * view.speed[receiver] / view.speed[donor];
      auto& objects = givable[donor];
      auto fits = std::upper_bound(objects.begin(), objects.end(), room,
                                   [&](double value, std::uint32_t o) { return value < view.cost[o]; });
      if (fits == objects.begin()) continue;  // nothing fits the roomiest receiver: this donor is done
      const std::uint32_t object = *std::prev(fits);
      objects.erase(std::prev(fits));
      receivers.pop();
      load[donor] -= view.cost[object];
      load[receiver] += view.cost_on(object, donor, receiver);
      moves.push_back(make_move(input, object, receiver, MoveReason::overload, view.cost[object]));
      if (load[receiver] < limit[receiver]) receivers.emplace(view.reference[receiver] - load[receiver], receiver);
      if (load[donor] > limit[donor]) donors.emplace(load[donor] - limit[donor], donor);
    }
    Plan plan = finish_plan(index, view, std::move(moves), 1, centralised_messages(input.ranks.size()));
    plan.plan_seconds = seconds_since(start);
    return plan;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_refine_strategy() { return std::make_unique<RefineStrategy>(); }

}  // namespace penumbra::balance
