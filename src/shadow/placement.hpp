#pragma once
// Placement: which ranks get a shadow of one object. Greedy over the ranks that read it (never the owner):
// each step adds the copy with the largest marginal value (nearest-copy model, so a second copy next to the
// first is worth little) scaled by the rank's load headroom; at most max_copies copies. Pure: no MPI.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "penumbra/object_id.hpp"
#include "penumbra/shadow.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/eligibility.hpp"

namespace penumbra::shadow {

/// What the policy knows about one rank.
struct RankState {
  /// Predicted spare capacity, >= 0, normalised so that 1 is "plenty" (e.g. (mean - predicted load) / mean,
  /// clamped at 0). Only min(load_headroom, 1) is used.
  double load_headroom = 0.0;
  /// A lower shadow budget for this rank (e.g. it is short of memory); unset = shadow.budget_bytes.
  std::optional<std::uint64_t> budget_bytes;
};

/// Throws InvalidArgument when there is not one state per rank or a headroom is NaN, infinite or negative.
void validate_rank_states(std::span<const RankState> ranks, int rank_count);
/// Per rank: min(shadow.budget_bytes, its own budget_bytes if set); all 0 when shadows are disabled.
std::vector<std::uint64_t> effective_budgets(std::span<const RankState> ranks, const ShadowOptions& options);

/// Why a current shadow is dropped.
enum class DropReason : std::uint8_t {
  none,             ///< not dropped
  low_value,        ///< its value fell below -hysteresis_us, or it saves no reader any time
  outranked,        ///< worth keeping, but max_copies better-placed copies took the places
  over_budget,      ///< evicted by its rank's budget (or larger than that budget)
  holder_is_owner,  ///< the holder now owns the object (after a migration)
  disabled,         ///< shadow.enabled = false
};
std::string_view to_string(DropReason reason) noexcept;

/// One shadow of one object on one rank.
struct ShadowPlacement {
  ObjectId id;
  int rank = 0;
  double value_us = 0.0;  ///< its marginal value (us per window) given the copies chosen before it
  std::uint64_t size_bytes = 0;
  bool existing = false;  ///< the rank holds it now
  DropReason reason = DropReason::none;

  bool operator==(const ShadowPlacement&) const = default;
};

/// The placement of one object before budgets: `chosen` in the order picked, `dropped` the current holders
/// that were not chosen (with their value given the chosen copies, and the reason).
struct ObjectPlacement {
  std::vector<ShadowPlacement> chosen;
  std::vector<ShadowPlacement> dropped;
};

/// Places the shadows of one object. Candidates: the `max_candidates` heaviest predicted readers other than
/// the owner (ties by rank), plus the current holders; a rank whose budget is smaller than the object, or that
/// is in `excluded`, is no candidate (a holder there is dropped as over_budget). A new copy needs a value
/// >= min_value_us, a current one >= -hysteresis_us, and both must save some reader some time. Among the
/// eligible, the largest (value - threshold) x (1 + headroom_weight x min(headroom, 1)) is taken, ties to the
/// lower rank. `access` must be valid (validate_access), `budget_by_rank` one entry per rank.
ObjectPlacement place_object(const ObjectAccess& access, const CostTable& costs, std::span<const RankState> ranks,
                             std::span<const std::uint64_t> budget_by_rank, const ShadowOptions& options,
                             std::span<const int> excluded = {});
/// The same with the object's value model built once by the caller (plan_shadows places an object again after
/// a budget evicted one of its copies). `model` must be of `access`.
ObjectPlacement place_object(const ObjectAccess& access, const ObjectValue& model, std::span<const RankState> ranks,
                             std::span<const std::uint64_t> budget_by_rank, const ShadowOptions& options,
                             std::span<const int> excluded = {});

}  // namespace penumbra::shadow
