#include "metadata/record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/checksum.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::metadata {
namespace {

constexpr std::size_t kIdOffset = 8;
constexpr std::size_t kVersionOffset = 16;
constexpr std::size_t kSizeOffset = 24;
constexpr std::size_t kOwnerOffset = 32;
constexpr std::size_t kCountOffset = 36;
constexpr std::size_t kFlagsOffset = 38;
constexpr std::size_t kLocationsOffset = 40;
constexpr std::uint16_t kErasedFlag = 1;

template <class T>
void store(std::span<std::byte> out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

template <class T>
T load(std::span<const std::byte> in, std::size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  return value;
}

std::uint64_t checksum_of(std::span<const std::byte> record, int max_locations) {
  return checksum64(record.first(checksum_offset(max_locations)));
}

}  // namespace

std::size_t checksum_offset(int max_locations) noexcept {
  // Every field is 8-aligned already (40 + 24 x n), so the checksum needs no padding.
  return kLocationsOffset + kLocationBytes * static_cast<std::size_t>(max_locations);
}

std::size_t record_bytes(int max_locations) noexcept { return checksum_offset(max_locations) + 8; }

void encode_record(const Record& record, std::uint64_t sequence, int max_locations, std::span<std::byte> out) {
  if (out.size() != record_bytes(max_locations) || record.entry.locations.size() > std::size_t(max_locations) ||
      sequence == 0 || sequence % 2 != 0)
    throw InvalidArgument(fmt::format(
        "encode_record: {} locations in {} bytes with sequence {} (expected at most {} locations, {} bytes, an even "
        "sequence >= 2)",
        record.entry.locations.size(), out.size(), sequence, max_locations, record_bytes(max_locations)));
  std::fill(out.begin(), out.end(), std::byte{0});
  const Entry& entry = record.entry;
  store(out, kSequenceOffset, sequence);
  store(out, kIdOffset, entry.id.value);
  store(out, kVersionOffset, entry.version);
  store(out, kSizeOffset, entry.size_bytes);
  store(out, kOwnerOffset, static_cast<std::int32_t>(entry.owner));
  store(out, kCountOffset, static_cast<std::uint16_t>(entry.locations.size()));
  store(out, kFlagsOffset, record.erased ? kErasedFlag : std::uint16_t{0});
  for (std::size_t i = 0; i < entry.locations.size(); ++i) {
    const Location& location = entry.locations[i];
    const std::size_t at = kLocationsOffset + kLocationBytes * i;
    store(out, at, location.slot_offset);
    store(out, at + 8, location.slot_capacity);
    store(out, at + 16, static_cast<std::int32_t>(location.rank));
  }
  store(out, checksum_offset(max_locations), checksum_of(out, max_locations));
}

std::uint64_t record_sequence(std::span<const std::byte> bytes) noexcept {
  return load<std::uint64_t>(bytes, kSequenceOffset);
}

DecodedRecord decode_record(std::span<const std::byte> bytes, int max_locations) {
  DecodedRecord decoded;
  decoded.sequence = record_sequence(bytes);
  if (decoded.sequence == 0 && std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; }))
    return decoded;  // empty
  decoded.state = RecordState::invalid;
  if (decoded.sequence == 0 || decoded.sequence % 2 != 0) return decoded;
  if (load<std::uint64_t>(bytes, checksum_offset(max_locations)) != checksum_of(bytes, max_locations)) return decoded;
  // The checksum matched, so what follows only fails for a record written by another format (a rank built with
  // other max_locations) or a checksum collision; either way the record is not used.
  const auto count = load<std::uint16_t>(bytes, kCountOffset);
  const auto flags = load<std::uint16_t>(bytes, kFlagsOffset);
  const auto owner = load<std::int32_t>(bytes, kOwnerOffset);
  if (count > max_locations || (flags & ~kErasedFlag) != 0 || owner < 0) return decoded;
  Record& record = decoded.record;
  record.entry.id = ObjectId{load<std::uint64_t>(bytes, kIdOffset)};
  record.entry.version = load<std::uint64_t>(bytes, kVersionOffset);
  record.entry.size_bytes = load<std::uint64_t>(bytes, kSizeOffset);
  record.entry.owner = owner;
  record.erased = (flags & kErasedFlag) != 0;
  record.entry.locations.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = kLocationsOffset + kLocationBytes * i;
    Location& location = record.entry.locations[i];
    location.slot_offset = load<std::uint64_t>(bytes, at);
    location.slot_capacity = load<std::uint64_t>(bytes, at + 8);
    location.rank = load<std::int32_t>(bytes, at + 16);
    if (location.rank < 0 || load<std::uint32_t>(bytes, at + 20) != 0) return decoded;
  }
  decoded.state = RecordState::valid;
  return decoded;
}

bool validate_record(std::span<const std::byte> bytes, ObjectId id, int max_locations) {
  const DecodedRecord decoded = decode_record(bytes, max_locations);
  return decoded.state == RecordState::valid && decoded.record.entry.id == id;
}

ScanResult scan_run(std::span<const std::byte> run, ObjectId id, int max_locations) {
  const std::size_t size = record_bytes(max_locations);
  ScanResult result;
  for (std::size_t index = 0; (index + 1) * size <= run.size(); ++index) {
    DecodedRecord decoded = decode_record(run.subspan(index * size, size), max_locations);
    result.index = index;
    switch (decoded.state) {
      case RecordState::empty:
        result.outcome = ScanResult::Outcome::absent;
        return result;
      case RecordState::invalid:
        result.outcome = ScanResult::Outcome::invalid;
        return result;
      case RecordState::valid:
        if (decoded.record.entry.id == id) {
          result.outcome = ScanResult::Outcome::found;
          result.record = std::move(decoded.record);
          return result;
        }
        break;
    }
  }
  result.outcome = ScanResult::Outcome::exhausted;
  return result;
}

}  // namespace penumbra::metadata
