#include "shadow/shadow_window.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "penumbra/errors.hpp"

namespace penumbra::shadow {
namespace {

// A torn copy means a put landed while we copied; the next attempt almost always succeeds. A slot that stays
// "being written" belongs to an owner that is between its two puts (it will finish at its next flush); the
// reader then takes another copy instead of waiting.
constexpr int kReadAttempts = 4;
// Up to this payload a remote read is one get into a scratch buffer and a copy; beyond it, two gets.
constexpr std::size_t kSingleGetPayload = 16 * 1024;

std::span<std::byte> header_bytes(SlotHeader& header) { return std::as_writable_bytes(std::span(&header, 1)); }

}  // namespace

ShadowWindow::ShadowWindow(const mpi::Communicator& comm, std::size_t capacity_bytes, std::size_t resident_bytes)
    : window_(mpi::Window::allocate(
          comm, capacity_bytes / kSlotAlignment * kSlotAlignment + resident_bytes / kSlotAlignment * kSlotAlignment)),
      rank_(comm.rank()),
      allocator_(capacity_bytes),
      resident_(resident_bytes) {
  if (window_.bytes() > 0) std::memset(window_.base(), 0, window_.bytes());
  unified_ = window_.unified_memory_model();
  epoch_ = std::make_unique<mpi::LockAllEpoch>(window_);
}

ShadowWindow::~ShadowWindow() {
  epoch_.reset();  // unlock before the window is freed
}

std::optional<SlotAddress> ShadowWindow::reserve(std::size_t payload_capacity, Region region) {
  SlotAllocator& allocator = region == Region::resident ? resident_ : allocator_;
  const std::size_t base = region == Region::resident ? allocator_.capacity() : 0;
  const std::optional<std::size_t> offset = allocator.allocate(slot_bytes(payload_capacity));
  if (!offset) return std::nullopt;
  std::memset(window_.base() + base + *offset, 0, sizeof(SlotHeader));
  return SlotAddress{rank_, base + *offset, allocator.size_at(*offset) - sizeof(SlotHeader)};
}

void ShadowWindow::release(const SlotAddress& slot) {
  if (slot.rank != rank_)
    throw InvalidArgument("rank " + std::to_string(rank_) + " cannot release a slot of rank " +
                          std::to_string(slot.rank));
  if (region_of(slot) == Region::resident)
    resident_.release(slot.offset - allocator_.capacity());
  else
    allocator_.release(slot.offset);
  std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(window_.base() + slot.offset))
      .store(0, std::memory_order_release);
}

template <class Copy>
SlotRead ShadowWindow::read_local_with(const SlotAddress& slot, ObjectId id, Version verified, Copy&& copy) const {
  const std::byte* base = window_.base() + slot.offset;
  std::atomic_ref<std::uint64_t> sequence(*reinterpret_cast<std::uint64_t*>(window_.base() + slot.offset));
  SlotRead result;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    // Puts from the owner land in our memory without our CPU; in the unified model a fence orders our loads
    // after them, in the separate model MPI_Win_sync is required.
    if (!unified_) window_.sync();
    const std::uint64_t before = sequence.load(std::memory_order_acquire);
    SlotHeader header;
    std::memcpy(&header, base, sizeof header);
    header.sequence = before;
    if (before == 0 || before % 2 == 1 || header.id != id.value || header.size > slot.capacity) {
      result.check = check_slot(header, id, slot.capacity, {}, false);
      if (result.check.state == SlotState::being_written) continue;
      return result;
    }
    std::span<std::byte> destination = copy(static_cast<std::size_t>(header.size));
    if (destination.size() != header.size) return {{SlotState::too_large, before / 2}, header.type_tag, 0, 0};
    std::memcpy(destination.data(), base + sizeof(SlotHeader), destination.size());
    std::atomic_thread_fence(std::memory_order_acquire);
    if (sequence.load(std::memory_order_relaxed) != before) {
      result.check = {SlotState::torn, before / 2};
      continue;
    }
    result.check = check_slot(header, id, slot.capacity, destination, before / 2 != verified);
    result.type_tag = header.type_tag;
    result.written_at_ns = header.written_at_ns;
    result.size = destination.size();
    if (result.check.state != SlotState::torn) return result;
  }
  return result;
}

SlotRead ShadowWindow::read_local(const SlotAddress& slot, ObjectId id, Version verified, Bytes& out) const {
  return read_local_with(slot, id, verified, [&](std::size_t size) {
    out.resize(size);
    return std::span<std::byte>(out);
  });
}

SlotRead ShadowWindow::read_local_into(const SlotAddress& slot, ObjectId id, Version verified,
                                       std::span<std::byte> out) const {
  return read_local_with(slot, id, verified, [&](std::size_t) { return out; });
}

void ShadowWindow::fetch(const SlotAddress& slot, SlotHeader& header, std::span<std::byte> payload) const {
  // Completed by request, not by a flush of the target (mpi::GetRequests: on an oversubscribed node the flush
  // yields the core, and cost a 64 KiB read more than its copy and its checksum together).
  mpi::GetRequests gets(window_);
  if (payload.size() > kSingleGetPayload) {
    gets.get(header_bytes(header), slot.rank, slot.offset);
    gets.get(payload, slot.rank, slot.offset + sizeof(SlotHeader));
    gets.wait();
    return;
  }
  scratch_.resize(sizeof(SlotHeader) + payload.size());
  gets.get(scratch_, slot.rank, slot.offset);
  gets.wait();
  std::memcpy(&header, scratch_.data(), sizeof header);
  if (!payload.empty()) std::memcpy(payload.data(), scratch_.data() + sizeof(SlotHeader), payload.size());
}

SlotRead ShadowWindow::get(const SlotAddress& slot, ObjectId id, std::size_t expected_size, Bytes& out) const {
  std::size_t fetch = std::min<std::size_t>(std::max<std::size_t>(expected_size, 1), slot.capacity);
  SlotRead result;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    SlotHeader header;
    out.resize(fetch);
    this->fetch(slot, header, out);
    if (header.sequence % 2 == 0 && header.sequence != 0 && header.id == id.value && header.size > fetch &&
        header.size <= slot.capacity) {
      fetch = header.size;  // the object grew since the metadata saw it: fetch again, whole
      continue;
    }
    result.check = check_slot(header, id, slot.capacity, out, true);
    result.type_tag = header.type_tag;
    result.written_at_ns = header.written_at_ns;
    if (result.check.state == SlotState::valid) {
      out.resize(header.size);
      result.size = header.size;
      return result;
    }
    if (result.check.state != SlotState::torn && result.check.state != SlotState::being_written) return result;
  }
  return result;
}

SlotRead ShadowWindow::get_into(const SlotAddress& slot, ObjectId id, std::span<std::byte> out) const {
  SlotRead result;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    SlotHeader header;
    fetch(slot, header, out.size() <= slot.capacity ? out : out.first(0));
    if (header.sequence % 2 == 0 && header.size != out.size()) return {{SlotState::too_large, header.sequence / 2}};
    result.check = check_slot(header, id, slot.capacity, out, true);
    result.type_tag = header.type_tag;
    result.written_at_ns = header.written_at_ns;
    result.size = out.size();
    if (result.check.state != SlotState::torn && result.check.state != SlotState::being_written) return result;
  }
  return result;
}

void ShadowWindow::write_local(const SlotAddress& slot, const SlotHeader& header, std::span<const std::byte> payload) {
  if (slot.rank != rank_)
    throw InvalidArgument("rank " + std::to_string(rank_) + " cannot write a slot of rank " +
                          std::to_string(slot.rank) + " with plain stores");
  if (payload.size() > slot.capacity)
    throw InvalidArgument("a payload of " + std::to_string(payload.size()) + " bytes does not fit a slot of " +
                          std::to_string(slot.capacity) + " bytes");
  std::byte* base = window_.base() + slot.offset;
  std::atomic_ref<std::uint64_t> sequence(*reinterpret_cast<std::uint64_t*>(base));
  sequence.store(writing_sequence(header.sequence / 2), std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(base + sizeof(SlotHeader), payload.data(), payload.size());
  constexpr std::size_t kAfterSequence = sizeof(std::uint64_t);
  std::memcpy(base + kAfterSequence, reinterpret_cast<const std::byte*>(&header) + kAfterSequence,
              sizeof(SlotHeader) - kAfterSequence);
  sequence.store(header.sequence, std::memory_order_release);
  if (!unified_) window_.sync();  // separate model: make the stores visible to the public copy
}

void ShadowWindow::stage_begin(const SlotAddress& slot, Version version) {
  begins_.push_back({slot, writing_sequence(version)});
}

void ShadowWindow::stage_body(const SlotAddress& slot, const SlotHeader& header, std::span<const std::byte> payload,
                              std::shared_ptr<const void> keep_alive) {
  if (payload.size() > slot.capacity)
    throw InvalidArgument("a payload of " + std::to_string(payload.size()) + " bytes does not fit a slot of " +
                          std::to_string(slot.capacity) + " bytes");
  bodies_.push_back({slot, header, payload, std::move(keep_alive)});
}

std::size_t ShadowWindow::flush_writes() {
  std::size_t bytes = 0;
  // Phase 1 must be complete at every target before any phase-2 byte lands: that is what makes a reader that
  // saw an even sequence before and after its copy safe (slot_layout.hpp).
  for (const Begin& begin : begins_) {
    window_.put(std::as_bytes(std::span(&begin.sequence, 1)), begin.slot.rank, begin.slot.offset);
    bytes += sizeof begin.sequence;
  }
  if (!begins_.empty()) window_.flush_all();
  for (const Body& body : bodies_) {
    window_.put(std::as_bytes(std::span(&body.header, 1)), body.slot.rank, body.slot.offset);
    window_.put(body.payload, body.slot.rank, body.slot.offset + sizeof(SlotHeader));
    bytes += sizeof(SlotHeader) + body.payload.size();
  }
  if (!bodies_.empty()) window_.flush_all();
  begins_.clear();
  bodies_.clear();
  return bytes;
}

std::span<std::byte> ShadowWindow::local_bytes_for_testing() noexcept { return {window_.base(), window_.bytes()}; }

}  // namespace penumbra::shadow
