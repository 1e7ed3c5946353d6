#pragma once
// The bytes of a batch of metadata updates, as carried to a home in a metadata_update request's payload.
// Pure. Decoding checks every length, count, code and rank, so truncated or hostile bytes are a
// SerializationError, never an out-of-bounds read or an unbounded allocation.
//
//   u32 magic "PMDB", u64 count, then per update:
//   u8 kind (1 upsert, 2 erase), u64 id, u64 version, u64 size_bytes, i32 owner, u16 n, then n locations:
//   i32 rank, u64 slot offset, u64 slot capacity
#include <span>
#include <vector>

#include "metadata/entry.hpp"
#include "penumbra/codec.hpp"

namespace penumbra::metadata {

/// What a decoded update may contain: ranks in [0, ranks), at most max_locations locations.
struct BatchLimits {
  int ranks = 1;
  int max_locations = 0;
};

Bytes encode_batch(std::span<const Update> updates);
/// Throws SerializationError for anything but a well-formed batch within `limits`. Erase updates come back
/// with owner -1, no locations and size 0 (only id and version travel meaningfully).
std::vector<Update> decode_batch(std::span<const std::byte> bytes, const BatchLimits& limits);

}  // namespace penumbra::metadata
