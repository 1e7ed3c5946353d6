#pragma once
// Hashes for names, type tags and payload checksums. Not cryptographic: they catch corruption and torn
// copies, not an adversary.
#include <cstddef>
#include <cstdint>
#include <span>

namespace penumbra {

/// 64-bit FNV-1a, byte at a time: for short strings (names, type names).
std::uint64_t fnv1a64(std::span<const std::byte> bytes) noexcept;
/// splitmix64's finalizer: spreads the bits of a hash (FNV alone leaves the low bits weak for `% ranks`).
std::uint64_t mix64(std::uint64_t value) noexcept;
/// Payload checksum: XXH3-64 (xxHash, the CPU's widest vector unit: ~25 GB/s here with AVX2), twice our earlier hand-written 4-lane hash.
std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept;
/// XXH3-64 with a seed, so a checksum can be bound to an (id, version) and a stale payload under a new header
/// does not validate.
std::uint64_t checksum64(std::span<const std::byte> bytes, std::uint64_t seed) noexcept;

}  // namespace penumbra
