#pragma once
// Owning MPI_Win_allocate window. MPI_Win_allocate is the flavour that is truly one-sided and fastest on
// Open MPI 4.1.4 and the only one that works at np = 1 (ENVIRONMENT.md), so it is the only one we create.
#include <mpi.h>

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
