#pragma once
// Type-erased object values, as the store holds them. Values are immutable: a write installs a new holder,
// so a reader holding the old one (a local zero-copy view) keeps a consistent snapshot.
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "penumbra/codec.hpp"

namespace penumbra::detail {

class ErasedValue {
 public:
  virtual ~ErasedValue() = default;
  virtual std::uint64_t type_tag() const noexcept = 0;
  /// The encoded bytes (computed once for serialized types, then cached).
  virtual std::span<const std::byte> bytes() const = 0;
  /// Address of the typed value, or nullptr when only bytes are held (an object that arrived by migration
  /// and has not been read as its type yet).
  virtual const void* typed_address() const noexcept = 0;
  /// The encoded size when it is known without encoding (zero-copy types, bytes already encoded), else 0.
  /// For bookkeeping (access counts, metadata) that must not make every write serialize its value.
  virtual std::size_t known_size() const noexcept = 0;
  /// The bytes are all the value holds: reading it as its type copies them (zero-copy types) or decodes them
  /// (bytes not decoded yet), so an owner may keep them in a window slot instead of a private copy.
  virtual bool plain_bytes() const noexcept = 0;
  /// The bytes live in a slot of the owner's shadow window (a resident home copy), which the owner rewrites in
  /// place at its next write: hold them only under the runtime's gate, and copy them to keep them.
  virtual bool in_window() const noexcept { return false; }
};

template <Storable T>
class TypedValue final : public ErasedValue {
 public:
  // By reference, not by value: a value passed down by value is copied at every call, on the stack (a 1 MiB
  // trivially copyable block was copied three times per write and overflowed an 8 MiB stack at a few levels).
  explicit TypedValue(const T& value) : value_(value) {}
  explicit TypedValue(T&& value) : value_(std::move(value)) {}
  std::uint64_t type_tag() const noexcept override { return penumbra::type_tag<T>(); }
  std::span<const std::byte> bytes() const override {
    if constexpr (is_zero_copy_v<T>) {
      return std::as_bytes(std::span(&value_, 1));
    } else {
      std::call_once(encoded_once_, [this] { encoded_ = encode(value_); });
      return *encoded_;
    }
  }
  const void* typed_address() const noexcept override { return &value_; }
  std::size_t known_size() const noexcept override {
    if constexpr (is_zero_copy_v<T>)
      return sizeof(T);
    else
      return encoded_ ? encoded_->size() : 0;  // only read after call_once published it, or still empty
  }
  bool plain_bytes() const noexcept override { return is_zero_copy_v<T>; }
  const T& value() const noexcept { return value_; }

 private:
  T value_;
  mutable std::once_flag encoded_once_;
  mutable std::optional<Bytes> encoded_;
};

/// Bytes of a known type tag, not yet decoded.
class EncodedValue final : public ErasedValue {
 public:
  EncodedValue(std::uint64_t tag, Bytes bytes) : tag_(tag), bytes_(std::move(bytes)) {}
  std::uint64_t type_tag() const noexcept override { return tag_; }
  std::span<const std::byte> bytes() const override { return bytes_; }
  const void* typed_address() const noexcept override { return nullptr; }
  std::size_t known_size() const noexcept override { return bytes_.size(); }
  bool plain_bytes() const noexcept override { return true; }

 private:
  std::uint64_t tag_;
  Bytes bytes_;
};

using ValuePtr = std::shared_ptr<const ErasedValue>;

/// The value in a new holder, copied (or moved, from an rvalue) once, straight into the heap.
template <typename V, typename T = std::remove_cvref_t<V>>
requires Storable<T> ValuePtr make_value(V&& value) {
  return std::make_shared<const TypedValue<T>>(std::forward<V>(value));
}

/// Shares T inside `value` when it holds a T, else decodes its bytes into a new T (in place, on the heap).
template <Storable T>
std::shared_ptr<const T> as_typed(const ValuePtr& value) {
  if (const void* address = value->typed_address()) return {value, static_cast<const T*>(address)};
  std::shared_ptr<T> decoded;
  if constexpr (is_zero_copy_v<T>)
    decoded = std::make_shared_for_overwrite<T>();  // every byte is overwritten: no need to zero a large block
  else
    decoded = std::make_shared<T>();
  decode_into(value->bytes(), *decoded);
  return decoded;
}

}  // namespace penumbra::detail
