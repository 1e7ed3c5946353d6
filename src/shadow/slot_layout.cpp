#include "shadow/slot_layout.hpp"

#include "core/checksum.hpp"

namespace penumbra::shadow {

namespace {
std::size_t round_up(std::size_t bytes, std::size_t alignment) noexcept {
  return (bytes + alignment - 1) / alignment * alignment;
}
}  // namespace

std::size_t slot_bytes(std::size_t payload_capacity) noexcept {
  return sizeof(SlotHeader) + round_up(payload_capacity, kSlotAlignment);
}

std::size_t payload_capacity_for(std::size_t size) noexcept {
  const std::size_t with_room = size + size / 4;
  return round_up(with_room < 64 ? 64 : with_room, kSlotAlignment);
}

std::uint64_t slot_checksum(ObjectId id, Version version, std::span<const std::byte> payload) noexcept {
  const std::uint64_t seed = mix64(id.value ^ mix64(version ^ mix64(payload.size())));
  return checksum64(payload, seed);
}

SlotHeader make_slot_header(ObjectId id, Version version, std::uint64_t type_tag, std::span<const std::byte> payload,
                            std::uint64_t written_at_ns) noexcept {
  SlotHeader header;
  header.sequence = stable_sequence(version);
  header.id = id.value;
  header.size = payload.size();
  header.type_tag = type_tag;
  header.checksum = slot_checksum(id, version, payload);
  header.written_at_ns = written_at_ns;
  return header;
}

SlotCheck check_slot(const SlotHeader& header, ObjectId expected, std::size_t payload_capacity,
                     std::span<const std::byte> payload, bool verify_checksum) noexcept {
  if (header.sequence == 0) return {SlotState::empty, 0};
  if (header.sequence % 2 == 1) return {SlotState::being_written, 0};
  const Version version = header.sequence / 2;
  if (header.id != expected.value) return {SlotState::other_object, version};
  if (header.size > payload_capacity || payload.size() < header.size) return {SlotState::too_large, version};
  if (verify_checksum && slot_checksum(expected, version, payload.first(header.size)) != header.checksum)
    return {SlotState::torn, version};
  return {SlotState::valid, version};
}

}  // namespace penumbra::shadow
