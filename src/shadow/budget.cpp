#include "shadow/budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "penumbra/errors.hpp"

namespace penumbra::shadow {

BudgetFit fit_budget(std::span<const BudgetCandidate> candidates, std::uint64_t budget_bytes, double hysteresis_us) {
  if (!(hysteresis_us >= 0.0))
    throw InvalidArgument(fmt::format("fit_budget: hysteresis_us = {} (expected >= 0)", hysteresis_us));
  for (const BudgetCandidate& candidate : candidates)
    if (std::isnan(candidate.value_us))
      throw InvalidArgument(fmt::format("fit_budget: object {} has value_us = nan", to_string(candidate.id)));

  const auto credited = [&](const BudgetCandidate& c) { return c.value_us + (c.existing ? hysteresis_us : 0.0); };
  const auto density = [&](const BudgetCandidate& c) {
    return credited(c) / static_cast<double>(std::max<std::uint64_t>(c.size_bytes, 1));
  };
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::sort(order, [&](std::size_t x, std::size_t y) {
    const BudgetCandidate& a = candidates[x];
    const BudgetCandidate& b = candidates[y];
    if (density(a) != density(b)) return density(a) > density(b);
    if (credited(a) != credited(b)) return credited(a) > credited(b);
    if (a.id != b.id) return a.id < b.id;
    return x < y;
  });

  BudgetFit fit;
  for (std::size_t index : order) {
    const std::uint64_t size = candidates[index].size_bytes;
    // Written as a subtraction so that no sum can overflow: used_bytes <= budget_bytes always holds.
    if (size <= budget_bytes - fit.used_bytes) {
      fit.kept.push_back(index);
      fit.used_bytes += size;
    } else {
      fit.evicted.push_back(index);
    }
  }
  std::ranges::sort(fit.evicted);
  return fit;
}

double value_density(double value_us, std::uint64_t bytes) noexcept {
  return value_us / static_cast<double>(bytes ? bytes : 1);
}

std::optional<std::size_t> resident_to_evict(std::span<const WindowResident> residents, double newcomer_density) {
  std::optional<std::size_t> cheapest;
  const auto density_of = [](const WindowResident& r) { return value_density(r.value_us, r.capacity); };
  const auto goes_first = [&](const WindowResident& a, const WindowResident& b) {
    if (density_of(a) != density_of(b)) return density_of(a) < density_of(b);
    if (a.home_copy != b.home_copy) return !a.home_copy;
    return a.id < b.id;
  };
  for (std::size_t i = 0; i < residents.size(); ++i)
    if (!cheapest || goes_first(residents[i], residents[*cheapest])) cheapest = i;
  if (!cheapest || !(density_of(residents[*cheapest]) < newcomer_density)) return std::nullopt;
  return cheapest;
}

}  // namespace penumbra::shadow
