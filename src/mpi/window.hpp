#pragma once
// Owning MPI_Win_allocate window. MPI_Win_allocate is the flavour that is truly one-sided and fastest on
// Open MPI 4.1.4 and the only one that works at np = 1 (ENVIRONMENT.md), so it is the only one we create.
#include <mpi.h>

#include <cstddef>

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
