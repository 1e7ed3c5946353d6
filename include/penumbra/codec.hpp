#pragma once
/// @file codec.hpp
/// How object values become bytes. Trivially copyable types take the zero-copy path: their bytes are the
/// wire format (no archive, no per-field work; local reads share the stored value). Every other type needs a
/// Boost.Serialization `serialize` and goes through a binary archive. All ranks run the same binary, so raw
/// bytes and type tags are comparable between them (Penumbra does not convert between architectures).

#include <boost/archive/binary_oarchive.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <streambuf>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "penumbra/detail/bounded_archive.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

using Bytes = std::vector<std::byte>;

/// True for types stored and sent as their own bytes.
template <class T>
inline constexpr bool is_zero_copy_v = std::is_trivially_copyable_v<T>;

/// A type Penumbra can store: trivially copyable, or Boost-serializable and default-constructible.
template <class T>
concept Storable = std::is_trivially_copyable_v<T> ||
    (std::is_default_constructible_v<T>&& requires(T& value, boost::archive::binary_oarchive& out) { out << value; });

namespace detail {
std::uint64_t hash_type_name(const char* name, std::size_t size, bool zero_copy) noexcept;

// Stream buffers straight over Bytes, so archives write into and read from the object's bytes without the
// extra copy a std::stringstream makes.
class ByteSink final : public std::streambuf {
 public:
  explicit ByteSink(Bytes& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_.push_back(static_cast<std::byte>(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* data, std::streamsize count) override {
    const auto* first = reinterpret_cast<const std::byte*>(data);
    out_.insert(out_.end(), first, first + count);
    return count;
  }

 private:
  Bytes& out_;
};

class ByteSource final : public std::streambuf {
 public:
  explicit ByteSource(std::span<const std::byte> bytes) {
    // streambuf's get area is char*; it is only read from.
    char* first = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(first, first, first + bytes.size());
  }
};
}  // namespace detail

/// Identifies T across ranks of one binary (hash of the mangled type name, size and codec).
template <class T>
std::uint64_t type_tag() noexcept {
  // Hashed once per type: every read and write checks it, and hashing the name cost ~8 ns of a 150 ns read.
  static const std::uint64_t tag = detail::hash_type_name(typeid(T).name(), sizeof(T), is_zero_copy_v<T>);
  return tag;
}

/// The bytes of `value`.
template <Storable T>
Bytes encode(const T& value) {
  if constexpr (is_zero_copy_v<T>) {
    Bytes bytes(sizeof(T));
    std::memcpy(bytes.data(), &value, sizeof(T));
    return bytes;
  } else {
    Bytes bytes;
    detail::ByteSink sink(bytes);
    try {
      boost::archive::binary_oarchive archive(sink, boost::archive::no_header);
      archive << value;
    } catch (const std::exception& error) {
      throw SerializationError(std::string("serializing ") + typeid(T).name() + " failed: " + error.what());
    }
    return bytes;
  }
}

/// Overwrites `value` with the value encoded in `bytes`; SerializationError when they do not hold a T. Decodes in
/// place, so a large value needs no copy on the stack (Runtime::view decodes into the heap).
template <Storable T>
void decode_into(std::span<const std::byte> bytes, T& value) {
  if constexpr (is_zero_copy_v<T>) {
    if (bytes.size() != sizeof(T))
      throw SerializationError("decoding " + std::string(typeid(T).name()) + ": got " + std::to_string(bytes.size()) +
                               " bytes, expected sizeof = " + std::to_string(sizeof(T)));
    std::memcpy(static_cast<void*>(&value), bytes.data(), sizeof(T));
  } else {
    detail::ByteSource source(bytes);
    try {
      // Boost's binary_iarchive would allocate whatever length corrupted bytes announce; this one checks.
      detail::BoundedBinaryIArchive archive(source, boost::archive::no_header);
      archive >> value;
    } catch (const std::exception& error) {
      throw SerializationError(std::string("deserializing ") + typeid(T).name() + " from " +
                               std::to_string(bytes.size()) + " bytes failed: " + error.what());
    }
  }
}

/// The value encoded in `bytes`; SerializationError when they do not hold a T.
template <Storable T>
T decode(std::span<const std::byte> bytes) {
  if constexpr (is_zero_copy_v<T>) {
    T value;  // every byte is overwritten
    decode_into(bytes, value);
    return value;
  } else {
    T value{};
    decode_into(bytes, value);
    return value;
  }
}

}  // namespace penumbra
