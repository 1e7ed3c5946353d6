#pragma once
// Bounds-checked byte encoding for the messages ranks exchange (requests, replies, metadata batches). Pure.
// Reader checks every length before it reads, so a corrupted or hostile buffer is a SerializationError, never
// an out-of-bounds read or a huge allocation. Values are copied as their own bytes: all ranks run the same
// binary (codec.hpp), so no byte order conversion.
#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "penumbra/codec.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

class ByteWriter {
 public:
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& value) { std::memcpy(extend(sizeof(T)), &value, sizeof(T)); }
  /// A length (u64) followed by the bytes.
  void put_blob(std::span<const std::byte> blob) {
    put<std::uint64_t>(blob.size());
    if (!blob.empty()) std::memcpy(extend(blob.size()), blob.data(), blob.size());
  }
  void put_text(const std::string& text) { put_blob(std::as_bytes(std::span(text.data(), text.size()))); }
  void reserve(std::size_t bytes) { bytes_.reserve(bytes); }
  Bytes take() { return std::move(bytes_); }

 private:
  /// Appends `count` bytes and returns where they start. Out of line (byte_io.cpp) on purpose: inlined into
  /// its callers, the vector's growth made g++ 12 -O3 report false -Wstringop-overflow and -Warray-bounds
  /// (writing into the "size 0" region of a still empty vector) in checkpoint/format.cpp.
  std::byte* extend(std::size_t count);

  Bytes bytes_;
};

class ByteReader {
 public:
  /// `what` names the message in errors ("request", "metadata batch").
  ByteReader(std::span<const std::byte> bytes, const char* what) : bytes_(bytes), what_(what) {}

  template <class T>
  requires std::is_trivially_copyable_v<T> T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  Bytes get_blob() {
    const auto size = get<std::uint64_t>();
    need(size);
    Bytes blob(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
               bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + size));
    offset_ += size;
    return blob;
  }
  std::string get_text() {
    Bytes blob = get_blob();
    return std::string(reinterpret_cast<const char*>(blob.data()), blob.size());
  }
  /// Throws unless at least `size` bytes are left (for a count read from the message before reserving).
  void need(std::uint64_t size) const {
    if (size > bytes_.size() - offset_)
      throw SerializationError(fmt::format("{}: truncated message ({} bytes, needed {} more at offset {})", what_,
                                           bytes_.size(), size, offset_));
  }
  std::size_t remaining() const noexcept { return bytes_.size() - offset_; }
  void expect_end() const {
    if (offset_ != bytes_.size())
      throw SerializationError(fmt::format("{}: {} trailing bytes after the message", what_, bytes_.size() - offset_));
  }
  const char* what() const noexcept { return what_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t offset_ = 0;
  const char* what_;
};

}  // namespace penumbra
