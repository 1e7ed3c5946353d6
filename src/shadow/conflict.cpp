#include "shadow/conflict.hpp"

#include <fmt/format.h>

namespace penumbra::shadow {

std::string_view to_string(UpdateCase update_case) noexcept {
  switch (update_case) {
    case UpdateCase::apply:
      return "apply";
    case UpdateCase::conflict:
      return "conflict";
    case UpdateCase::stale_base:
      return "stale base";
    case UpdateCase::duplicate:
      return "duplicate";
  }
  return "?";
}

std::string_view to_string(UpdateResult result) noexcept {
  switch (result) {
    case UpdateResult::theirs:
      return "theirs";
    case UpdateResult::merged:
      return "merged";
    case UpdateResult::mine:
      return "mine";
    case UpdateResult::none:
      return "none";
  }
  return "?";
}

Resolution resolve_update(const OwnerView& owner, const Update& update) {
  if (update.rank < 0) throw InvalidArgument(fmt::format("shadow update: rank = {} (expected >= 0)", update.rank));
  if (update.sequence == 0)
    throw InvalidArgument(fmt::format("shadow update from rank {}: sequence = 0 (expected >= 1)", update.rank));
  if (update.base == 0 || owner.current == 0 || owner.oldest_retained == 0)
    throw InvalidArgument(
        fmt::format("shadow update from rank {}: base {}, current {}, oldest retained {} "
                    "(versions start at 1)",
                    update.rank, update.base, owner.current, owner.oldest_retained));
  if (owner.oldest_retained > owner.current)
    throw InvalidArgument(fmt::format("shadow update: oldest retained version {} is newer than the current {}",
                                      owner.oldest_retained, owner.current));

  Resolution resolution;
  if (update.sequence <= owner.last_sequence) {
    resolution.update_case = UpdateCase::duplicate;
    resolution.result = UpdateResult::none;
    return resolution;
  }
  if (update.base > owner.current)
    throw InvariantViolation(
        fmt::format("shadow update from rank {} (sequence {}): base version {} is newer than "
                    "the owner's current version {}",
                    update.rank, update.sequence, update.base, owner.current));
  resolution.next_version = owner.current + 1;
  if (update.base == owner.current) {
    resolution.update_case = UpdateCase::apply;
    resolution.result = UpdateResult::theirs;
    return resolution;
  }
  resolution.update_case = update.base >= owner.oldest_retained ? UpdateCase::conflict : UpdateCase::stale_base;
  if (resolution.update_case == UpdateCase::conflict && owner.has_merge) {
    resolution.result = UpdateResult::merged;
    resolution.merge_base = update.base;
    return resolution;
  }
  resolution.result = theirs_wins(owner.current, owner.current_writer, update.base + 1, update.rank)
                          ? UpdateResult::theirs
                          : UpdateResult::mine;
  return resolution;
}

}  // namespace penumbra::shadow
