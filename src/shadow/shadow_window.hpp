#pragma once
// The MPI_Win_allocate window that holds this rank's shadow slots, and the one-sided operations on slots:
// the owner's two-phase puts (see slot_layout.hpp), the holder's seqlock reads of its own memory, and remote
// readers' gets. One passive-target epoch (lock_all) covers the window's whole life, so no operation waits
// for a target's CPU (ENVIRONMENT.md: Get/Put/flush on MPI_Win_allocate windows are truly one-sided).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "mpi/communicator.hpp"
#include "mpi/window.hpp"
#include "penumbra/codec.hpp"
#include "penumbra/object_id.hpp"
#include "shadow/slot_allocator.hpp"
#include "shadow/slot_layout.hpp"

namespace penumbra::shadow {

/// Where a copy lives: a holder rank and its slot (offset of the header, payload capacity).
struct SlotAddress {
  int rank = -1;
  std::uint64_t offset = 0;
  std::uint64_t capacity = 0;
  bool operator==(const SlotAddress&) const = default;
};

/// A value copied out of a slot.
struct SlotRead {
  SlotCheck check;
  std::uint64_t type_tag = 0;
  std::uint64_t written_at_ns = 0;
  std::size_t size = 0;  ///< payload bytes (valid reads only)
};

/// The two parts of a window: shadows (copies held for other owners, and home copies that are a second copy of
/// their object) within the shadow budget, and the owner's resident home copies, which are their object's only
/// copy on the owner (resident_value.hpp) and so are not replicas.
enum class Region : std::uint8_t { shadows, resident };

class ShadowWindow {
 public:
  /// Collective: every rank exposes `capacity_bytes` (its shadow memory budget) for slots, followed by
  /// `resident_bytes` for resident home copies.
  ShadowWindow(const mpi::Communicator& comm, std::size_t capacity_bytes, std::size_t resident_bytes = 0);
  ShadowWindow(const ShadowWindow&) = delete;
  ShadowWindow& operator=(const ShadowWindow&) = delete;
  ~ShadowWindow();

  // ---- holder side: this rank's memory -------------------------------------------------------------
  /// A new empty slot for payloads up to `payload_capacity` bytes in `region`, or nullopt when it has no room.
  std::optional<SlotAddress> reserve(std::size_t payload_capacity, Region region = Region::shadows);
  /// Returns a slot to the free space of its region; its header is cleared so late readers see "empty", not
  /// stale data.
  void release(const SlotAddress& slot);
  Region region_of(const SlotAddress& slot) const noexcept {
    return slot.offset >= allocator_.capacity() ? Region::resident : Region::shadows;
  }
  /// Bytes in use and capacity of the shadow region (the budget).
  std::size_t used_bytes() const noexcept { return allocator_.used(); }
  std::size_t capacity_bytes() const noexcept { return allocator_.capacity(); }
  /// Bytes in use and capacity of the resident region.
  std::size_t resident_used_bytes() const noexcept { return resident_.used(); }
  std::size_t resident_capacity_bytes() const noexcept { return resident_.capacity(); }
  /// A slot's payload in this rank's window (a resident value's bytes). Valid until the slot is released.
  const std::byte* local_payload(const SlotAddress& slot) const noexcept {
    return window_.base() + slot.offset + sizeof(SlotHeader);
  }

  /// Seqlock copy of a local slot into `out` (resized to the payload). `verified` is the version whose checksum
  /// this rank already checked (0: none); the checksum is recomputed only for another version.
  SlotRead read_local(const SlotAddress& slot, ObjectId id, Version verified, Bytes& out) const;
  /// As read_local, into a buffer of exactly the expected payload size (zero-copy types): a size mismatch is
  /// `too_large`.
  SlotRead read_local_into(const SlotAddress& slot, ObjectId id, Version verified, std::span<std::byte> out) const;
  /// The header's address of a slot of this rank's window, for a reader that runs the seqlock itself on a
  /// version it already verified (ReadHandle's fast path). Valid until the slot is released.
  std::byte* local_slot(const SlotAddress& slot) const noexcept { return window_.base() + slot.offset; }
  /// MPI's unified memory model (a fence orders loads after remote puts); in the separate model every local
  /// read needs MPI_Win_sync first (checked with MPI_WIN_MODEL at window creation).
  bool unified() const noexcept { return unified_; }

  // ---- remote readers ------------------------------------------------------------------------------
  /// One-sided copy of a slot at another rank (or this one). `expected_size` is the payload size the reader
  /// believes current (from the metadata); a larger payload costs a second get.
  SlotRead get(const SlotAddress& slot, ObjectId id, std::size_t expected_size, Bytes& out) const;
  /// As get, straight into `out` (zero-copy types: no intermediate buffer).
  SlotRead get_into(const SlotAddress& slot, ObjectId id, std::span<std::byte> out) const;

  // ---- owner side: batched two-phase writes ---------------------------------------------------------
  /// Writes a slot of this rank's own window with plain stores (the owner publishing its own object, a
  /// "home copy"): odd sequence, payload and header, then the even sequence. Remote readers' gets may see a
  /// mix of two versions; the checksum in the header catches it (a get cannot order its bytes anyway).
  /// Throws InvalidArgument when the slot is another rank's or the payload exceeds its capacity.
  void write_local(const SlotAddress& slot, const SlotHeader& header, std::span<const std::byte> payload);
  /// Queues phase 1 (odd sequence) of writing `version` into `slot`.
  void stage_begin(const SlotAddress& slot, Version version);
  /// Queues phase 2 (header and payload). `keep_alive` owns `payload` until the batch is flushed.
  void stage_body(const SlotAddress& slot, const SlotHeader& header, std::span<const std::byte> payload,
                  std::shared_ptr<const void> keep_alive);
  /// Sends the queued writes: every phase-1 put, flush, every phase-2 put, flush. Returns bytes put.
  std::size_t flush_writes();
  bool has_staged_writes() const noexcept { return !begins_.empty() || !bodies_.empty(); }

  /// Test hook: this rank's raw window bytes (to inject torn or corrupted slots).
  std::span<std::byte> local_bytes_for_testing() noexcept;

 private:
  struct Begin {
    SlotAddress slot;
    std::uint64_t sequence;
  };
  struct Body {
    SlotAddress slot;
    SlotHeader header;
    std::span<const std::byte> payload;
    std::shared_ptr<const void> keep_alive;
  };
  /// The gets of a remote slot's header and the first `payload.size()` payload bytes, completed together by
  /// their requests (mpi::GetRequests). Small payloads travel in one get through `scratch_`, large ones
  /// straight into `payload` (a second get costs less than a second copy).
  void fetch(const SlotAddress& slot, SlotHeader& header, std::span<std::byte> payload) const;
  template <class Copy>
  SlotRead read_local_with(const SlotAddress& slot, ObjectId id, Version verified, Copy&& copy) const;

  mpi::Window window_;
  mutable std::vector<std::byte> scratch_;  // fetch(): header and payload of a small remote slot in one get
  std::unique_ptr<mpi::LockAllEpoch> epoch_;
  bool unified_ = true;
  int rank_ = 0;
  SlotAllocator allocator_;  // the shadow region: offsets [0, capacity)
  SlotAllocator resident_;   // the resident region, after it: offsets relative to allocator_.capacity()
  std::vector<Begin> begins_;
  std::vector<Body> bodies_;
};

}  // namespace penumbra::shadow
