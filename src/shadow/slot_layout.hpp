#pragma once
// The bytes of one shadow slot in a holder's window, and how a reader decides whether what it copied is a
// whole version. Pure: no MPI.
//
// Protocol (one writer per slot: the object's owner; DESIGN.md "one writer per region"):
//   1. the owner puts `sequence = 2*version - 1` (odd: "being written") and flushes;
//   2. the owner puts the whole header (with `sequence = 2*version`) and the payload, and flushes.
// The version lives in the sequence word itself, so no reader can pair a new sequence with an old version.
// A local reader (the holder, plain loads) runs a seqlock: sequence before and after the copy must be equal
// and even; the first time it sees a version it also checks the checksum, which catches a step-2 put whose
// header landed before its payload. A remote reader copies header and payload with one MPI_Get, so it cannot
// order its reads: it always checks the checksum, which is seeded with (id, version, size) so that an old
// payload under a new header does not validate.
#include <cstddef>
#include <cstdint>
#include <span>

#include "penumbra/object_id.hpp"

namespace penumbra::shadow {

struct SlotHeader {
  std::uint64_t sequence = 0;  ///< 0: empty; odd: being written; even: stable at version sequence/2
  std::uint64_t id = 0;
  std::uint64_t size = 0;  ///< payload bytes
  std::uint64_t type_tag = 0;
  std::uint64_t checksum = 0;
  std::uint64_t written_at_ns = 0;  ///< owner's steady clock when it wrote this version (staleness by age)
  std::uint64_t reserved[2] = {0, 0};
};
static_assert(sizeof(SlotHeader) == 64, "payloads start on a cache line");

inline constexpr std::size_t kSlotAlignment = 64;

constexpr std::uint64_t stable_sequence(Version version) noexcept { return 2 * version; }
constexpr std::uint64_t writing_sequence(Version version) noexcept { return 2 * version - 1; }

/// Window bytes for a slot that holds payloads up to `payload_capacity` bytes (header included, aligned).
std::size_t slot_bytes(std::size_t payload_capacity) noexcept;
/// Payload capacity to reserve for an object of `size` bytes: room to grow by a quarter before the slot must be
/// replaced, at least 64 bytes.
std::size_t payload_capacity_for(std::size_t size) noexcept;

/// The checksum a header carries for this payload at this version.
std::uint64_t slot_checksum(ObjectId id, Version version, std::span<const std::byte> payload) noexcept;
/// A complete, stable header for `payload` at `version`.
SlotHeader make_slot_header(ObjectId id, Version version, std::uint64_t type_tag, std::span<const std::byte> payload,
                            std::uint64_t written_at_ns) noexcept;

enum class SlotState : std::uint8_t {
  valid,          ///< a whole version of the expected object
  empty,          ///< never written
  being_written,  ///< odd sequence: the owner is between its two puts
  torn,           ///< checksum or size mismatch: a put landed while we copied; retry
  other_object,   ///< the slot holds another id (it was released and reused)
  too_large,      ///< the header claims more payload than the slot can hold (corruption)
};

struct SlotCheck {
  SlotState state = SlotState::empty;
  Version version = 0;
};

/// Checks a copied header and payload. `payload` must be the first `header.size` bytes of the copied payload
/// area (or shorter, in which case `too_large`). `verify_checksum` false skips the hash (local reads of a version
/// already verified once).
SlotCheck check_slot(const SlotHeader& header, ObjectId expected, std::size_t payload_capacity,
                     std::span<const std::byte> payload, bool verify_checksum) noexcept;

}  // namespace penumbra::shadow
