#include "mpi/window.hpp"

#include <utility>

#include "mpi/check.hpp"

namespace penumbra::mpi {

Window Window::allocate(const Communicator& comm, std::size_t bytes, int displacement_unit) {
  Window window;
  void* base = nullptr;
  check(
      MPI_Win_allocate(static_cast<MPI_Aint>(bytes), displacement_unit, MPI_INFO_NULL, comm.get(), &base, &window.win_),
      "MPI_Win_allocate");
  detail::handle_created();
  window.base_ = static_cast<std::byte*>(base);
  window.bytes_ = bytes;
  check(MPI_Win_set_errhandler(window.win_, MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
  return window;
}

Window::Window(Window&& other) noexcept
    : win_(std::exchange(other.win_, MPI_WIN_NULL)),
      base_(std::exchange(other.base_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

Window& Window::operator=(Window&& other) noexcept {
  if (this != &other) {
    Window old(std::move(*this));
    win_ = std::exchange(other.win_, MPI_WIN_NULL);
    base_ = std::exchange(other.base_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Window::~Window() {
  if (win_ == MPI_WIN_NULL) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Win_free(&win_);
  detail::handle_freed();
}

LockAllEpoch::LockAllEpoch(const Window& window) : win_(window.get()) {
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "MPI_Win_lock_all");
}

LockAllEpoch::~LockAllEpoch() { MPI_Win_unlock_all(win_); }

}  // namespace penumbra::mpi
