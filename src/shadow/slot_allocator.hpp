#pragma once
// Which bytes of this rank's shadow window are in use. The holder alone allocates and frees its slots (the
// owner only writes into a slot it was given), so this is plain local bookkeeping: first fit over free ranges
// kept sorted by offset, neighbours merged on release so the window does not fragment into useless slivers.
#include <cstddef>
#include <map>
#include <optional>

namespace penumbra::shadow {

class SlotAllocator {
 public:
  explicit SlotAllocator(std::size_t capacity_bytes);

  /// Offset of a free range of `bytes` (rounded up to the slot alignment), or nullopt when none is large
  /// enough. InvalidArgument for 0 bytes.
  std::optional<std::size_t> allocate(std::size_t bytes);
  /// Frees the range that allocate() returned at `offset`. InvalidArgument if none starts there.
  void release(std::size_t offset);

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t used() const noexcept { return used_bytes_; }
  std::size_t largest_free() const noexcept;
  /// Bytes of the range allocated at `offset`; InvalidArgument if none.
  std::size_t size_at(std::size_t offset) const;

 private:
  std::size_t capacity_;
  std::size_t used_bytes_ = 0;
  std::map<std::size_t, std::size_t> free_;       // offset -> bytes
  std::map<std::size_t, std::size_t> allocated_;  // offset -> bytes
};

}  // namespace penumbra::shadow
