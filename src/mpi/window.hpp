#pragma once
// Owning MPI_Win_allocate window. MPI_Win_allocate is the flavour that is truly one-sided and fastest on
// Open MPI 4.1.4 and the only one that works at np = 1 (ENVIRONMENT.md), so it is the only one we create.
#include <mpi.h>

#include <array>
#include <cstddef>
#include <span>

#include "mpi/communicator.hpp"

namespace penumbra::mpi {

class Window {
 public:
  /// Collective over `comm`: every rank exposes `bytes` bytes (may differ per rank).
  static Window allocate(const Communicator& comm, std::size_t bytes, int displacement_unit = 1);

  Window() = default;
  Window(Window&& other) noexcept;
  Window& operator=(Window&& other) noexcept;
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;
  ~Window();

  MPI_Win get() const noexcept { return win_; }

  // One-sided operations, valid inside a passive-target epoch (LockAllEpoch). Sizes above 2 GiB are
  // rejected with InvalidArgument (MPI counts are int).
  /// MPI_Put of `data` to `target` at byte `offset` of its window.
  void put(std::span<const std::byte> data, int target, std::size_t offset) const;
  /// MPI_Get into `out` from `target` at byte `offset`.
  void get(std::span<std::byte> out, int target, std::size_t offset) const;
  /// Completes every operation to `target` at the target (MPI_Win_flush).
  void flush(int target) const;
  /// Completes every operation to `target` at this rank only (MPI_Win_flush_local): a Get's buffer is filled,
  /// a Put's buffer may be reused. Cheaper than flush() when the target need not see the result.
  void flush_local(int target) const;
  /// Completes every operation to every target (MPI_Win_flush_all).
  void flush_all() const;
  /// MPI_Win_sync: orders this process's loads/stores to its own window memory with remote accesses.
  void sync() const;
  /// True when the window uses MPI_WIN_UNIFIED (public and private copies are one memory), which lets a
  /// process read remote puts into its window with plain loads after a memory fence.
  bool unified_memory_model() const;
  std::byte* base() const noexcept { return base_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  MPI_Win win_ = MPI_WIN_NULL;
  std::byte* base_ = nullptr;
  std::size_t bytes_ = 0;
};

/// Gets completed by their requests (MPI_Rget, then MPI_Waitall) instead of by MPI_Win_flush, inside a
/// passive-target epoch. A get needs only local completion (its bytes in the origin buffer), which its request
/// gives; a flush waits for every operation to the target and, in Open MPI 4.1.4, enters the progress engine,
/// which yields the core when ranks are oversubscribed: 6.7 us for an 8-byte get + flush here, against
/// 1.7 us for a 64 KiB MPI_Rget + MPI_Wait, which osc/rdma completes inside MPI_Rget for a peer on the node.
/// At most kMaxGets at a time. The destructor waits for whatever is still outstanding, so that an exception
/// never leaves a get landing in a buffer that is gone.
class GetRequests {
 public:
  static constexpr int kMaxGets = 4;
  explicit GetRequests(const Window& window) noexcept : win_(window.get()) {}
  GetRequests(const GetRequests&) = delete;
  GetRequests& operator=(const GetRequests&) = delete;
  ~GetRequests();

  /// MPI_Rget into `out` from `target` at byte `offset` of its window; `out` is filled once wait() returns.
  void get(std::span<std::byte> out, int target, std::size_t offset);
  /// Completes every get issued so far (MPI_Waitall).
  void wait();

 private:
  MPI_Win win_;
  std::array<MPI_Request, kMaxGets> requests_{};
  int count_ = 0;
};

/// RAII passive-target epoch on every rank of a window (MPI_Win_lock_all / MPI_Win_unlock_all).
class LockAllEpoch {
 public:
  explicit LockAllEpoch(const Window& window);
  LockAllEpoch(const LockAllEpoch&) = delete;
  LockAllEpoch& operator=(const LockAllEpoch&) = delete;
  ~LockAllEpoch();

 private:
  MPI_Win win_;
};

}  // namespace penumbra::mpi
