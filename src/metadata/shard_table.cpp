#include "metadata/shard_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "penumbra/errors.hpp"

namespace penumbra::metadata {

bool supersedes(const Update& update, const Record* stored) noexcept {
  if (stored == nullptr) return true;
  if (stored->erased) return update.entry.version > stored->entry.version;
  return update.entry.version >= stored->entry.version;
}

Record record_after(const Update& update, const Record* stored) {
  if (update.kind == Update::Kind::upsert) return Record{update.entry, false};
  Record tombstone;
  tombstone.erased = true;
  tombstone.entry.id = update.entry.id;
  tombstone.entry.version = update.entry.version;
  tombstone.entry.owner = stored != nullptr ? stored->entry.owner : 0;
  return tombstone;
}

void check_update(const Update& update, const Layout& layout) {
  const Entry& entry = update.entry;
  const auto in_range = [&](int rank) { return rank >= 0 && rank < layout.ranks(); };
  if (entry.version == 0)
    throw InvalidArgument(fmt::format("metadata update of {}: version 0 (versions start at 1)", to_string(entry.id)));
  if (update.kind == Update::Kind::erase) return;
  if (!in_range(entry.owner))
    throw InvalidArgument(fmt::format("metadata entry of {}: owner rank {} (expected [0, {}))", to_string(entry.id),
                                      entry.owner, layout.ranks()));
  if (entry.locations.size() > static_cast<std::size_t>(layout.max_locations()))
    throw InvalidArgument(fmt::format("metadata entry of {}: {} locations (at most metadata.max_locations = {})",
                                      to_string(entry.id), entry.locations.size(), layout.max_locations()));
  for (const Location& location : entry.locations)
    if (!in_range(location.rank))
      throw InvalidArgument(fmt::format("metadata entry of {}: location rank {} (expected [0, {}))",
                                        to_string(entry.id), location.rank, layout.ranks()));
}

ShardTable::ShardTable(const Layout& layout, int home)
    : layout_(layout), home_(home), bytes_(layout.region_bytes(), std::byte{0}) {
  if (!layout.is_home(home))
    throw InvalidArgument(
        fmt::format("shard table: rank {} homes no shard in {} mode", home, to_string(layout.mode())));
}

std::span<const std::byte> ShardTable::record_bytes(std::size_t slot) const {
  return std::span(bytes_).subspan(slot * layout_.record_bytes(), layout_.record_bytes());
}

const Record* ShardTable::find(ObjectId id, Record& storage) const {
  const std::size_t start = layout_.home_slot(id);
  const ScanResult scan = scan_run(
      std::span(bytes_).subspan(start * layout_.record_bytes(), layout_.probe_limit() * layout_.record_bytes()), id,
      layout_.max_locations());
  if (scan.outcome == ScanResult::Outcome::invalid)
    throw InvariantViolation(
        fmt::format("metadata shard {}: private record in slot {} fails validation", home_, start + scan.index));
  if (scan.outcome != ScanResult::Outcome::found) return nullptr;
  storage = scan.record;
  return &storage;
}

ShardTable::Outcome ShardTable::apply(std::span<const Update> updates) {
  // Plan: place every update against the table plus the records planned so far (two new ids of one batch may
  // probe to the same free slot), before any byte changes.
  std::map<std::size_t, Record> planned;
  std::size_t new_records = 0;
  Outcome outcome;
  for (const Update& update : updates) {
    const ObjectId id = update.entry.id;
    check_update(update, layout_);
    if (layout_.home_of(id) != home_)
      throw InvalidArgument(fmt::format("metadata update for {} reached rank {}, but its home is rank {}",
                                        to_string(id), home_, layout_.home_of(id)));
    const std::size_t start = layout_.home_slot(id);
    std::optional<std::size_t> slot;
    std::optional<Record> stored;
    for (std::size_t probe = 0; probe < layout_.probe_limit() && !slot; ++probe) {
      const std::size_t candidate = start + probe;
      if (auto it = planned.find(candidate); it != planned.end()) {
        if (it->second.entry.id == id) slot = candidate, stored = it->second;
        continue;
      }
      DecodedRecord decoded = decode_record(record_bytes(candidate), layout_.max_locations());
      if (decoded.state == RecordState::invalid)
        throw InvariantViolation(
            fmt::format("metadata shard {}: private record in slot {} fails validation", home_, candidate));
      if (decoded.state == RecordState::empty) {
        slot = candidate;
      } else if (decoded.record.entry.id == id) {
        slot = candidate, stored = std::move(decoded.record);
      }
    }
    if (!slot)
      throw ConfigError("metadata.slots_per_shard", std::to_string(layout_.slots_per_shard()),
                        fmt::format("room for every object homed at one rank: the shard of rank {} has no free slot "
                                    "within {} probes of slot {} for {} ({} of its {} records in use, {} more in this "
                                    "batch); raise it (keep the load under ~70%)",
                                    home_, layout_.probe_limit(), start, to_string(id), used_, layout_.region_records(),
                                    new_records));
    const Record* current = stored ? &*stored : nullptr;
    if (!supersedes(update, current)) {
      ++outcome.ignored;
      continue;
    }
    ++outcome.applied;
    if (!current) ++new_records;
    planned.insert_or_assign(*slot, record_after(update, current));
  }

  // Commit: rewrite the records that changed, each with its sequence advanced by 2.
  const std::size_t size = layout_.record_bytes();
  for (const auto& [slot, record] : planned) {
    const auto out = std::span(bytes_).subspan(slot * size, size);
    const DecodedRecord old = decode_record(out, layout_.max_locations());
    if (old.state == RecordState::valid && old.record == record) continue;  // an update that changes nothing
    if (old.state == RecordState::empty) ++used_;
    encode_record(record, old.sequence + 2, layout_.max_locations(), out);
    outcome.changed_slots.push_back(slot);
  }
  return outcome;
}

}  // namespace penumbra::metadata
