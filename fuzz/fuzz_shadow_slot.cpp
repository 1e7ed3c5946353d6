// The shadow slot check (src/shadow/slot_layout.hpp): what a reader decides about a slot it copied out of a
// holder's window, header and payload, possibly torn or corrupted. Input: the 64-byte header, the expected
// id (8 bytes), the payload capacity (2 bytes), then the copied payload area.
// Properties: `valid` only for a stable header of the expected id whose size fits both the capacity and the
// copy and whose checksum matches; skipping the checksum never turns a valid slot into another state.
#include <cstring>

#include "fuzz_support.hpp"
#include "shadow/slot_layout.hpp"

namespace {
constexpr const char* kHarness = "fuzz_shadow_slot";
using namespace penumbra;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kFixed = sizeof(shadow::SlotHeader) + 8 + 2;
  if (size < kFixed) return 0;
  shadow::SlotHeader header;
  std::memcpy(&header, data, sizeof header);
  std::uint64_t expected = 0;
  std::memcpy(&expected, data + sizeof header, 8);
  std::uint16_t capacity = 0;
  std::memcpy(&capacity, data + sizeof header + 8, 2);
  const auto payload = std::as_bytes(std::span(data + kFixed, size - kFixed));
  fuzz::expect_typed_errors(kHarness, [&] {
    const auto checked = shadow::check_slot(header, ObjectId{expected}, capacity, payload, true);
    const auto unchecked = shadow::check_slot(header, ObjectId{expected}, capacity, payload, false);
    if (checked.state == shadow::SlotState::valid) {
      fuzz::require(header.sequence != 0 && header.sequence % 2 == 0 && header.id == expected, kHarness,
                    "valid means a stable header of the expected id");
      fuzz::require(header.size <= capacity && header.size <= payload.size(), kHarness,
                    "valid means the payload fits the slot and the copy");
      fuzz::require(shadow::slot_checksum(ObjectId{expected}, checked.version, payload.first(header.size)) ==
                        header.checksum,
                    kHarness, "valid means the checksum matches");
      fuzz::require(unchecked.state == shadow::SlotState::valid && unchecked.version == checked.version, kHarness,
                    "skipping the checksum keeps a valid slot valid");
    }
  });
  return 0;
}
