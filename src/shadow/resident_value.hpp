#pragma once
// An owned object's value whose only copy on its owner is the payload of its home slot (a resident home copy,
// docs/shadows.md): the store holds this instead of a private copy, so publishing the object costs no second
// copy of it. The owner rewrites the slot in place at its next write and frees it when the home copy goes;
// before either, the ShadowManager detaches every such value still held, which then keeps its bytes privately.
// Everything here runs under the runtime's gate (ApplicationGate): the runtime copies a resident value before
// handing it past the gate (a view) or to a transfer in flight (a migration).
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>

#include "penumbra/detail/value.hpp"

namespace penumbra::shadow {

class ResidentValue final : public detail::ErasedValue {
 public:
  ResidentValue(std::uint64_t type_tag, const std::byte* payload, std::size_t size)
      : tag_(type_tag), payload_(payload), size_(size) {}

  std::uint64_t type_tag() const noexcept override { return tag_; }
  std::span<const std::byte> bytes() const override {
    if (detached_) return *detached_;
    return {payload_, size_};
  }
  const void* typed_address() const noexcept override { return nullptr; }
  std::size_t known_size() const noexcept override { return size_; }
  bool plain_bytes() const noexcept override { return true; }
  bool in_window() const noexcept override { return !detached_; }

  /// Copies the slot's bytes out: the slot is about to be rewritten or freed, and this value is still held.
  void detach() const {
    if (!detached_) detached_.emplace(payload_, payload_ + size_);
  }

 private:
  std::uint64_t tag_;
  const std::byte* payload_;
  std::size_t size_;
  mutable std::optional<Bytes> detached_;
};

}  // namespace penumbra::shadow
