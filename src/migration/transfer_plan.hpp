#pragma once
// The pure half of a collective migration: check the moves a rank asked for, describe each moving object
// in a fixed-size record every rank can see, and lay out who sends what to whom. No MPI here.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "penumbra/migration.hpp"

namespace penumbra::migration {

/// One moving object, as every rank sees it (trivially copyable: it travels in an allgather).
struct MoveRecord {
  std::uint64_t id = 0;
  std::int32_t from = 0;
  std::int32_t to = 0;
  Version version = 0;
  std::uint64_t type_tag = 0;
  std::uint64_t name_bytes = 0;
  std::uint64_t value_bytes = 0;
  std::uint64_t checksum = 0;  ///< of the value bytes
  /// 1: the value travels only when the move lands (an object written too often for an early copy to last).
  std::uint32_t deferred = 0;
  std::uint32_t unused = 0;  // explicit, so that no uninitialised padding travels
};

/// The moves of one rank after checking: sorted by id, without no-op moves to itself.
/// Throws InvalidArgument for a target outside [0, ranks) or an id named twice, UnknownObject when
/// `owns(id)` is false (the object is not live on this rank).
std::vector<Move> checked_moves(std::span<const Move> requested, int my_rank, int ranks,
                                const std::function<bool(ObjectId)>& owns);

/// Larger value or name sizes in a move record are taken for corruption (1 TiB: no rank holds such an object).
inline constexpr std::uint64_t kMaxRecordBytes = std::uint64_t{1} << 40;

/// Throws MigrationError when the combined plan of all ranks moves an object twice or has a record whose
/// source or target is out of range, that moves an object to its own rank, or that announces more than
/// kMaxRecordBytes: a plan every rank can check the same way, before anything is allocated from it.
void check_global_plan(std::span<const MoveRecord> all_records, int ranks);

/// What one rank exchanges with each peer: the records it sends to peer p (`to_peer[p]`) and receives from
/// it (`from_peer[p]`), in the order payloads are packed (the order of the combined plan: rank, then id).
struct PeerExchange {
  std::vector<std::vector<MoveRecord>> to_peer;
  std::vector<std::vector<MoveRecord>> from_peer;
};
PeerExchange exchange_of(std::span<const MoveRecord> all_records, int rank, int ranks);

/// How a move started earlier stands when it is committed: the value sent is still current, the object was
/// written since (its value travels again), or it was erased (it stays where it is, as a tombstone).
enum class Revision : std::uint32_t { unchanged = 0, rewritten = 1, erased = 2 };

/// A move's revision at commit, as every rank sees it (trivially copyable). `record` is the new one when
/// rewritten (version, size, checksum of the current value), the started one otherwise.
struct RevisedRecord {
  MoveRecord record;
  Revision revision = Revision::unchanged;
};

/// Throws MigrationError unless every revision names a move of `started` (same object, source, target and
/// deferral), at most once, with a version no lower than the started one, and passes check_global_plan's
/// checks; and unless every deferred move is revised (its value travels only then).
void check_revisions(std::span<const RevisedRecord> revisions, std::span<const MoveRecord> started, int ranks);

/// Whether an overlapped move should send the object's value only when it lands: it was written in at least
/// half of the `steps` since `earlier_version` was seen (so an early copy would likely be stale by then and
/// travel twice). `steps` <= 0 (nothing to go by): false.
bool defer_transfer(Version now, Version earlier_version, std::int64_t steps);

/// Bytes of the names of `records` (names travel packed, one buffer per peer).
std::uint64_t total_name_bytes(std::span<const MoveRecord> records);

}  // namespace penumbra::migration
