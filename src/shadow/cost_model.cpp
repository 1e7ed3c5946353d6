#include "shadow/cost_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "penumbra/errors.hpp"

namespace penumbra::shadow {
namespace {

void check_cost(const char* name, double value) {
  if (!(value >= 0.0) || !std::isfinite(value))
    throw InvalidArgument(fmt::format("shadow cost model: {} = {} (expected a finite time >= 0 us)", name, value));
}

constexpr double kKiB = 1024.0;

// The median of the positive values of `field` over `observed` (upper median), 0 when none is positive.
double median_positive(std::span<const ObservedReadCost> observed, double ObservedReadCost::*field) {
  std::vector<double> values;
  for (const ObservedReadCost& cost : observed)
    if (cost.*field > 0.0) values.push_back(cost.*field);
  if (values.empty()) return 0.0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

void CostModel::validate() const {
  for (std::size_t c = 0; c < read_by_proximity.size(); ++c) {
    const auto name = to_string(static_cast<Proximity>(c));
    check_cost(fmt::format("read_by_proximity[{}].base_us", name).c_str(), read_by_proximity[c].base_us);
    check_cost(fmt::format("read_by_proximity[{}].us_per_kib", name).c_str(), read_by_proximity[c].us_per_kib);
  }
  check_cost("owner_service.base_us", owner_service.base_us);
  check_cost("owner_service.us_per_kib", owner_service.us_per_kib);
  check_cost("propagation_base_us", propagation_base_us);
  check_cost("propagation_us_per_kib", propagation_us_per_kib);
  for (std::size_t r = 0; r < observed.size(); ++r) {
    check_cost(fmt::format("observed[{}].one_sided_us", r).c_str(), observed[r].one_sided_us);
    check_cost(fmt::format("observed[{}].owner_us", r).c_str(), observed[r].owner_us);
  }
}

CostTable::CostTable(const Topology& topology, const CostModel& model)
    : topology_(topology), model_(model), measured_(model.use_measured_latency && topology.has_latency()) {
  model.validate();
  median_observed_ = {.one_sided_us = median_positive(model_.observed, &ObservedReadCost::one_sided_us),
                      .owner_us = median_positive(model_.observed, &ObservedReadCost::owner_us)};
}

double CostTable::read_us(int reader, int holder, std::uint64_t size_bytes) const {
  const TransferCost& cost = model_.read_by_proximity[static_cast<std::size_t>(topology_.proximity(reader, holder))];
  double base = cost.base_us;
  if (measured_ && reader != holder) {
    base = topology_.latency_us(reader, holder);
    // Checked where used: a full P x P scan up front would cost more than the policy at large P.
    if (!(base >= 0.0) || !std::isfinite(base))
      throw InvalidArgument(fmt::format(
          "shadow cost model: measured latency {} -> {} = {} (expected a finite time >= 0 us)", reader, holder, base));
  }
  if (reader != holder) base = std::max(base, observed_for(reader).one_sided_us);
  return base + cost.us_per_kib * (static_cast<double>(size_bytes) / kKiB);
}

double CostTable::owner_read_us(int reader, int owner, std::uint64_t size_bytes) const {
  const double one_sided = read_us(reader, owner, size_bytes);
  if (reader == owner) return one_sided;
  const double modelled = one_sided + model_.owner_service.base_us +
                          model_.owner_service.us_per_kib * (static_cast<double>(size_bytes) / kKiB);
  // A published owner (owner_service zero) is read one-sided: its reader's two-sided figure does not apply.
  const bool two_sided = model_.owner_service.base_us > 0.0 || model_.owner_service.us_per_kib > 0.0;
  if (two_sided) return std::max(modelled, observed_for(reader).owner_us);
  return modelled;
}

ObservedReadCost CostTable::observed_for(int reader) const noexcept {
  if (reader < 0 || static_cast<std::size_t>(reader) >= model_.observed.size()) return {};
  ObservedReadCost cost = model_.observed[static_cast<std::size_t>(reader)];
  if (!(cost.one_sided_us > 0.0)) cost.one_sided_us = median_observed_.one_sided_us;
  if (!(cost.owner_us > 0.0)) cost.owner_us = median_observed_.owner_us;
  return cost;
}

double CostTable::propagation_us(int owner, int holder, std::uint64_t size_bytes) const {
  return read_us(owner, holder, size_bytes) + model_.propagation_base_us +
         model_.propagation_us_per_kib * (static_cast<double>(size_bytes) / kKiB);
}

}  // namespace penumbra::shadow
