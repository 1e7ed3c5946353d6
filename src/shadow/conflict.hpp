#pragma once
// The conflict rule for updates made at shadows, decided by the owner, the single serialization point of
// its objects. Pure: no MPI. The exactly-once argument is in docs/shadows.md.
#include <cstdint>
#include <string_view>

#include "penumbra/errors.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/shadow.hpp"

namespace penumbra::shadow {

/// An update as it reaches the owner: made from version `base` (the version its writer held), by `rank`,
/// with that rank's `sequence` number (1, 2, ... per origin rank and owner; a resend repeats it).
struct Update {
  Version base = 0;
  int rank = 0;
  std::uint64_t sequence = 0;
};

/// What the owner knows when the update arrives.
struct OwnerView {
  Version current = 0;              ///< the owner's current version
  int current_writer = 0;           ///< the rank whose update made `current` (the owner for its own writes)
  Version oldest_retained = 0;      ///< the oldest version whose value the owner still keeps as a merge base
  std::uint64_t last_sequence = 0;  ///< the last sequence resolved from this update's rank (0: none yet)
  bool has_merge = false;           ///< a MergeFunction is registered for the object's type
};

enum class UpdateCase : std::uint8_t {
  apply,       ///< base == current: no conflict
  conflict,    ///< base < current, base still retained: merge(base, mine, theirs), or last-writer-wins without one
  stale_base,  ///< base older than the retained history: last-writer-wins
  duplicate,   ///< this (rank, sequence) was resolved already: nothing happens (exactly-once)
};
std::string_view to_string(UpdateCase update_case) noexcept;

/// Which value becomes the next version.
enum class UpdateResult : std::uint8_t {
  theirs,  ///< the incoming value
  merged,  ///< merge(value at merge_base, current value, incoming value)
  mine,    ///< the current value, republished under the new version
  none,    ///< no new version (duplicate)
};
std::string_view to_string(UpdateResult result) noexcept;

struct Resolution {
  UpdateCase update_case = UpdateCase::apply;
  UpdateResult result = UpdateResult::theirs;
  Version merge_base = 0;    ///< the base version to pass to merge (result == merged), else 0
  Version next_version = 0;  ///< current + 1 for every resolved update; 0 for a duplicate
};

/// Last-writer-wins by (version, rank): true when (theirs_version, theirs_rank) > (mine_version, mine_rank).
/// An update from base b claims version b + 1.
constexpr bool theirs_wins(Version mine_version, int mine_rank, Version theirs_version, int theirs_rank) noexcept {
  return theirs_version != mine_version ? theirs_version > mine_version : theirs_rank > mine_rank;
}

/// The owner's decision for one incoming update. Every update that is not a duplicate yields exactly one new
/// version, current + 1, even when `mine` wins: the writer's shadow holds a tentative value under version
/// base + 1 <= current, which the new version supersedes everywhere.
/// Throws InvalidArgument for a negative rank, sequence 0, a version 0, or oldest_retained > current;
/// InvariantViolation when base > current (no copy can hold a version its owner never made).
Resolution resolve_update(const OwnerView& owner, const Update& update);

/// The value of the next version for `resolution`. `base` is the value at resolution.merge_base (only read when
/// result == merged; must then not be null). A duplicate keeps `mine`.
template <class T>
T resolved_value(const Resolution& resolution, const T* base, const T& mine, const T& theirs,
                 const MergeFunction<T>& merge) {
  switch (resolution.result) {
    case UpdateResult::theirs:
      return theirs;
    case UpdateResult::merged:
      if (base == nullptr || !merge)
        throw InvalidArgument("resolved_value: a merged result needs the base value and a merge function");
      return merge(*base, mine, theirs);
    case UpdateResult::mine:
    case UpdateResult::none:
      break;
  }
  return mine;
}

}  // namespace penumbra::shadow
