#pragma once
// Eviction under the per-rank shadow memory budget: keep the shadows worth the most per byte, within the
// budget exactly. Pure: no MPI.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra::shadow {

/// One shadow proposed for (or held by) one rank.
struct BudgetCandidate {
  ObjectId id;
  double value_us = 0.0;
  std::uint64_t size_bytes = 0;
  bool existing = false;  ///< held now: credited hysteresis_us, so a newcomer must beat it by that much
};

/// The outcome at one rank: indices into the candidates, kept in the order they were admitted.
struct BudgetFit {
  std::vector<std::size_t> kept;
  std::vector<std::size_t> evicted;  ///< in increasing index order
  std::uint64_t used_bytes = 0;      ///< sum of the kept sizes, <= the budget
};

/// Ranks the candidates by density = (value_us + (existing ? hysteresis_us : 0)) / max(size_bytes, 1),
/// highest first (ties: higher credited value, then lower id), and admits each one whose size still fits in
/// what is left of `budget_bytes`; the rest are evicted. A candidate larger than the budget never fits.
/// Throws InvalidArgument for a NaN value or negative hysteresis.
BudgetFit fit_budget(std::span<const BudgetCandidate> candidates, std::uint64_t budget_bytes, double hysteresis_us);

/// Value per byte of window: value_us / max(bytes, 1). The order of admission and eviction in a shadow epoch.
double value_density(double value_us, std::uint64_t bytes) noexcept;

/// What occupies a slot of a rank's shadow window: a shadow it holds for another rank, or a home copy of one of
/// its own objects. Both share the window and the budget.
struct WindowResident {
  ObjectId id;
  double value_us = 0.0;       ///< the owner's valuation at the last epoch
  std::uint64_t capacity = 0;  ///< the slot's payload capacity, bytes
  bool home_copy = false;
};

/// The resident that gives way to a newcomer worth `newcomer_density` per byte: the one worth the least per
/// byte, if that is less than the newcomer. On equal density a held shadow goes before a home copy (a home copy
/// serves every reader that has no copy, a shadow one rank), then the lower id (the same choice on every run).
/// nullopt when no resident is worth less than the newcomer.
std::optional<std::size_t> resident_to_evict(std::span<const WindowResident> residents, double newcomer_density);

}  // namespace penumbra::shadow
