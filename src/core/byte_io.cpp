#include "core/byte_io.hpp"

namespace penumbra {

std::byte* ByteWriter::extend(std::size_t count) {
  const std::size_t at = bytes_.size();
  bytes_.resize(at + count);
  return bytes_.data() + at;
}

}  // namespace penumbra
