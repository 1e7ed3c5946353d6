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
/// Payload checksum, 8 bytes at a time (~8x FNV-1a's speed on large objects).
std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept;

}  // namespace penumbra
