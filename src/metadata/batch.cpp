#include "metadata/batch.hpp"

#include <fmt/format.h>

#include "core/byte_io.hpp"

namespace penumbra::metadata {
namespace {

constexpr std::uint32_t kBatchMagic = 0x504d4442;  // "PMDB"
// kind + id + version + size + owner + location count: the least bytes one update takes.
constexpr std::size_t kMinUpdateBytes = 1 + 8 + 8 + 8 + 4 + 2;
// rank + slot offset + slot capacity.
constexpr std::size_t kLocationWireBytes = 4 + 8 + 8;

int checked_rank(std::int32_t rank, const BatchLimits& limits, const char* what) {
  if (rank < 0 || rank >= limits.ranks)
    throw SerializationError(fmt::format("metadata batch: {} rank {} (expected [0, {}))", what, rank, limits.ranks));
  return rank;
}

}  // namespace

Bytes encode_batch(std::span<const Update> updates) {
  ByteWriter out;
  out.reserve(12 + updates.size() * (kMinUpdateBytes + 2 * kLocationWireBytes));
  out.put(kBatchMagic);
  out.put<std::uint64_t>(updates.size());
  for (const Update& update : updates) {
    const Entry& entry = update.entry;
    out.put(static_cast<std::uint8_t>(update.kind));
    out.put(entry.id.value);
    out.put(entry.version);
    out.put(entry.size_bytes);
    out.put(static_cast<std::int32_t>(entry.owner));
    out.put(static_cast<std::uint16_t>(entry.locations.size()));
    for (const Location& location : entry.locations) {
      out.put(static_cast<std::int32_t>(location.rank));
      out.put(location.slot_offset);
      out.put(location.slot_capacity);
    }
  }
  return out.take();
}

std::vector<Update> decode_batch(std::span<const std::byte> bytes, const BatchLimits& limits) {
  ByteReader in(bytes, "metadata batch");
  if (in.get<std::uint32_t>() != kBatchMagic) throw SerializationError("metadata batch: bad magic number");
  const auto count = in.get<std::uint64_t>();
  // Bound the count by the bytes present before reserving anything.
  if (count > in.remaining() / kMinUpdateBytes)
    throw SerializationError(fmt::format("metadata batch: {} updates announced in {} bytes (each takes at least {})",
                                         count, in.remaining(), kMinUpdateBytes));
  std::vector<Update> updates;
  updates.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    Update update;
    const auto kind = in.get<std::uint8_t>();
    if (kind != static_cast<std::uint8_t>(Update::Kind::upsert) &&
        kind != static_cast<std::uint8_t>(Update::Kind::erase))
      throw SerializationError(fmt::format("metadata batch: invalid update kind {} in update {}", kind, i));
    update.kind = static_cast<Update::Kind>(kind);
    Entry& entry = update.entry;
    entry.id = ObjectId{in.get<std::uint64_t>()};
    entry.version = in.get<Version>();
    entry.size_bytes = in.get<std::uint64_t>();
    const auto owner = in.get<std::int32_t>();
    const auto locations = in.get<std::uint16_t>();
    if (entry.version == 0) throw SerializationError(fmt::format("metadata batch: version 0 in update {}", i));
    if (locations > limits.max_locations)
      throw SerializationError(
          fmt::format("metadata batch: {} locations in update {} (at most {})", locations, i, limits.max_locations));
    in.need(kLocationWireBytes * std::uint64_t{locations});
    if (update.kind == Update::Kind::erase) {
      if (locations != 0) throw SerializationError(fmt::format("metadata batch: erase update {} has locations", i));
      entry.owner = -1;
      entry.size_bytes = 0;
    } else {
      entry.owner = checked_rank(owner, limits, "owner");
      entry.locations.resize(locations);
      for (Location& location : entry.locations) {
        location.rank = checked_rank(in.get<std::int32_t>(), limits, "location");
        location.slot_offset = in.get<std::uint64_t>();
        location.slot_capacity = in.get<std::uint64_t>();
      }
    }
    updates.push_back(std::move(update));
  }
  in.expect_end();
  return updates;
}

}  // namespace penumbra::metadata
