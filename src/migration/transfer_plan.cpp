#include "migration/transfer_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "penumbra/errors.hpp"

namespace penumbra::migration {

std::vector<Move> checked_moves(std::span<const Move> requested, int my_rank, int ranks,
                                const std::function<bool(ObjectId)>& owns) {
  std::vector<Move> moves;
  std::unordered_set<ObjectId> seen;
  for (const Move& move : requested) {
    if (move.to < 0 || move.to >= ranks)
      throw InvalidArgument(
          fmt::format("move of object {} to rank {}: expected a rank in [0, {})", to_string(move.id), move.to, ranks));
    if (!seen.insert(move.id).second)
      throw InvalidArgument(fmt::format("object {} is moved twice in one migration", to_string(move.id)));
    if (!owns(move.id))
      throw UnknownObject(move.id.value, fmt::format("rank {} cannot move object {}: it does not own a live "
                                                     "object with that id",
                                                     my_rank, to_string(move.id)));
    if (move.to != my_rank) moves.push_back(move);
  }
  std::ranges::sort(moves, {}, &Move::id);
  return moves;
}

void check_global_plan(std::span<const MoveRecord> all_records, int ranks) {
  std::unordered_set<std::uint64_t> seen;
  for (const MoveRecord& record : all_records) {
    if (record.from < 0 || record.from >= ranks || record.to < 0 || record.to >= ranks)
      throw MigrationError(
          fmt::format("object {:#x}: move {} -> {} is outside [0, {})", record.id, record.from, record.to, ranks));
    // prepare() drops moves to the object's own rank and sends the sizes of values it holds: a record that
    // says otherwise was corrupted, and its sizes must not become allocations on the receiver.
    if (record.from == record.to)
      throw MigrationError(fmt::format("object {:#x}: a move from rank {} to itself (a corrupted move record)",
                                       record.id, record.from));
    if (record.value_bytes > kMaxRecordBytes || record.name_bytes > kMaxRecordBytes)
      throw MigrationError(fmt::format(
          "object {:#x}: a move record announcing {} value bytes and {} name bytes (more than {}: corrupted)",
          record.id, record.value_bytes, record.name_bytes, kMaxRecordBytes));
    if (!seen.insert(record.id).second)
      throw MigrationError(
          fmt::format("object {:#x} is moved by two ranks at once: more than one rank owns it", record.id));
  }
}

void check_revisions(std::span<const RevisedRecord> revisions, std::span<const MoveRecord> started, int ranks) {
  std::unordered_map<std::uint64_t, const MoveRecord*> by_id;
  for (const MoveRecord& record : started) by_id.emplace(record.id, &record);
  std::vector<MoveRecord> records;
  std::unordered_set<std::uint64_t> revised_ids;
  for (const RevisedRecord& revised : revisions) {
    const MoveRecord& record = revised.record;
    const auto found = by_id.find(record.id);
    if (found == by_id.end())
      throw MigrationError(fmt::format("object {:#x}: revised at commit but never started moving", record.id));
    const MoveRecord& first = *found->second;
    if (record.from != first.from || record.to != first.to || record.deferred != first.deferred)
      throw MigrationError(fmt::format("object {:#x}: started moving {} -> {} but revised as {} -> {}", record.id,
                                       first.from, first.to, record.from, record.to));
    if (record.version < first.version)
      throw MigrationError(fmt::format("object {:#x}: revised at version {}, older than the started {}", record.id,
                                       record.version, first.version));
    if (revised.revision != Revision::rewritten && revised.revision != Revision::erased)
      throw MigrationError(fmt::format("object {:#x}: revision code {} (expected rewritten = 1 or erased = 2)",
                                       record.id, static_cast<std::uint32_t>(revised.revision)));
    if (!revised_ids.insert(record.id).second)
      throw MigrationError(fmt::format("object {:#x}: revised twice at one commit", record.id));
    records.push_back(record);
  }
  for (const MoveRecord& record : started)
    if (record.deferred != 0 && !revised_ids.contains(record.id))
      throw MigrationError(
          fmt::format("object {:#x}: its move was deferred but no value was sent at commit", record.id));
  check_global_plan(records, ranks);  // sizes, ranks
}

bool defer_transfer(Version now, Version earlier_version, std::int64_t steps) {
  if (steps <= 0 || now <= earlier_version) return false;
  // Each write makes one version: versions gained per step is the write rate.
  return 2 * (now - earlier_version) >= static_cast<Version>(steps);
}

PeerExchange exchange_of(std::span<const MoveRecord> all_records, int rank, int ranks) {
  PeerExchange exchange;
  exchange.to_peer.resize(static_cast<std::size_t>(ranks));
  exchange.from_peer.resize(static_cast<std::size_t>(ranks));
  for (const MoveRecord& record : all_records) {
    if (record.from == rank) exchange.to_peer[static_cast<std::size_t>(record.to)].push_back(record);
    if (record.to == rank) exchange.from_peer[static_cast<std::size_t>(record.from)].push_back(record);
  }
  return exchange;
}

std::uint64_t total_name_bytes(std::span<const MoveRecord> records) {
  std::uint64_t total = 0;
  for (const MoveRecord& record : records) total += record.name_bytes;
  return total;
}

}  // namespace penumbra::migration
