#include "core/checksum.hpp"

#include <cstring>

namespace penumbra {

std::uint64_t fnv1a64(std::span<const std::byte> bytes) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::byte b : bytes) {
    hash ^= static_cast<std::uint64_t>(b);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t mix64(std::uint64_t value) noexcept {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  value ^= value >> 31;
  return value;
}

std::uint64_t checksum64(std::span<const std::byte> bytes) noexcept {
  // Four independent lanes: a multiply per 8 bytes, but no lane waits for another, so large payloads are
  // checked at memory speed rather than at one multiply latency per word.
  constexpr std::uint64_t kOdd = 0x9e3779b97f4a7c15ULL;
  std::uint64_t lane[4] = {kOdd, kOdd ^ 1, kOdd ^ 2, kOdd ^ 3};
  std::size_t offset = 0;
  for (; offset + 32 <= bytes.size(); offset += 32) {
    for (int i = 0; i < 4; ++i) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + offset + 8 * i, 8);
      lane[i] = ((lane[i] ^ word) * 0xff51afd7ed558ccdULL);
      lane[i] ^= lane[i] >> 29;
    }
  }
  std::uint64_t hash = mix64(bytes.size());
  for (int i = 0; i < 4; ++i) hash = mix64(hash ^ lane[i]);
  for (; offset + 8 <= bytes.size(); offset += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + offset, 8);
    hash = mix64(hash ^ word);
  }
  std::uint64_t tail = 0;
  if (offset < bytes.size()) std::memcpy(&tail, bytes.data() + offset, bytes.size() - offset);
  return mix64(hash ^ tail ^ (static_cast<std::uint64_t>(bytes.size() - offset) << 56));
}

}  // namespace penumbra
