#include "shadow/slot_allocator.hpp"

#include <string>

#include "penumbra/errors.hpp"
#include "shadow/slot_layout.hpp"

namespace penumbra::shadow {

SlotAllocator::SlotAllocator(std::size_t capacity_bytes)
    : capacity_(capacity_bytes / kSlotAlignment * kSlotAlignment) {
  if (capacity_ > 0) free_.emplace(0, capacity_);
}

std::optional<std::size_t> SlotAllocator::allocate(std::size_t bytes) {
  if (bytes == 0) throw InvalidArgument("a shadow slot of 0 bytes was requested");
  const std::size_t rounded = (bytes + kSlotAlignment - 1) / kSlotAlignment * kSlotAlignment;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < rounded) continue;
    const std::size_t offset = it->first;
    const std::size_t remaining = it->second - rounded;
    free_.erase(it);
    if (remaining > 0) free_.emplace(offset + rounded, remaining);
    allocated_.emplace(offset, rounded);
    used_bytes_ += rounded;
    return offset;
  }
  return std::nullopt;
}

void SlotAllocator::release(std::size_t offset) {
  auto found = allocated_.find(offset);
  if (found == allocated_.end())
    throw InvalidArgument("no shadow slot starts at window offset " + std::to_string(offset));
  std::size_t start = offset;
  std::size_t bytes = found->second;
  used_bytes_ -= bytes;
  allocated_.erase(found);
  // Merge with the free neighbour after, then the one before.
  if (auto next = free_.find(start + bytes); next != free_.end()) {
    bytes += next->second;
    free_.erase(next);
  }
  if (auto next = free_.lower_bound(start); next != free_.begin()) {
    auto previous = std::prev(next);
    if (previous->first + previous->second == start) {
      start = previous->first;
      bytes += previous->second;
      free_.erase(previous);
    }
  }
  free_.emplace(start, bytes);
}

std::size_t SlotAllocator::largest_free() const noexcept {
  std::size_t largest = 0;
  for (const auto& [offset, bytes] : free_) largest = bytes > largest ? bytes : largest;
  return largest;
}

std::size_t SlotAllocator::size_at(std::size_t offset) const {
  auto found = allocated_.find(offset);
  if (found == allocated_.end())
    throw InvalidArgument("no shadow slot starts at window offset " + std::to_string(offset));
  return found->second;
}

}  // namespace penumbra::shadow
