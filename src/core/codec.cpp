#include "penumbra/codec.hpp"

#include "core/checksum.hpp"

namespace penumbra::detail {

std::uint64_t hash_type_name(const char* name, std::size_t size, bool zero_copy) noexcept {
  const std::uint64_t name_hash = fnv1a64(std::as_bytes(std::span(name, std::char_traits<char>::length(name))));
  return mix64(name_hash ^ (static_cast<std::uint64_t>(size) << 1) ^ (zero_copy ? 1U : 0U));
}

}  // namespace penumbra::detail
