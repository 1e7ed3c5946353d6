#pragma once
/// @file migration.hpp
/// The move primitive: a collective call in which ranks hand objects to other ranks. Every object keeps its
/// id, name and version; nothing is lost: either every move of the call happens, or none does.

#include <cstddef>
#include <cstdint>

#include "penumbra/object_id.hpp"

namespace penumbra {

/// Move object `id` (owned by the calling rank) to rank `to`. A move to the current owner is a no-op.
struct Move {
  ObjectId id;
  int to = 0;
};

/// What one collective migration did, seen from the calling rank (and in total).
struct MigrationReport {
  std::size_t objects_sent = 0;
  std::size_t objects_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::size_t objects_moved_total = 0;  ///< over all ranks
  std::uint64_t bytes_moved_total = 0;  ///< over all ranks, values sent again included
  /// Over all ranks: objects written between the start and the landing of their move (balance.overlap_moves),
  /// whose current value travelled again. An erased one stays with its source and is not counted as moved.
  std::size_t objects_resent_total = 0;
  double seconds = 0.0;                 ///< wall time in the migration's collective calls on this rank
};

}  // namespace penumbra
