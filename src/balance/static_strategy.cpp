// `static`: the placement stays as it is. The baseline every other strategy is measured against.
#include "balance/plan_support.hpp"
#include "balance/strategies.hpp"

namespace penumbra::balance {
namespace {

class StaticStrategy final : public Strategy {
 public:
  std::string_view name() const noexcept override { return "static"; }
  bool plans_on_predicted_costs() const noexcept override { return false; }  // measured costs only
  TriggerLoad trigger_load() const noexcept override { return TriggerLoad::none; }  // it never moves anything
  Plan plan(const EpochInput& input) const override {
    const auto start = std::chrono::steady_clock::now();
    const auto [index, view] = prepare(input, CostSource::measured);
    Plan plan = finish_plan(index, view, {}, 0, 0);
    plan.plan_seconds = seconds_since(start);
    return plan;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_static_strategy() { return std::make_unique<StaticStrategy>(); }

}  // namespace penumbra::balance
