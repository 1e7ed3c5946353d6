#include "mpi/window.hpp"

#include <climits>
#include <string>
#include <utility>

#include "penumbra/errors.hpp"

#include "mpi/check.hpp"
#include "mpi/node_allocation_lock.hpp"

namespace penumbra::mpi {

Window Window::allocate(const Communicator& comm, std::size_t bytes, int displacement_unit) {
  Window window;
  void* base = nullptr;
  const NodeAllocationLock lock(comm);
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

namespace {
int checked_count(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT_MAX))
    throw InvalidArgument("one-sided transfer of " + std::to_string(bytes) + " bytes; at most 2 GiB per operation");
  return static_cast<int>(bytes);
}
}  // namespace

void Window::put(std::span<const std::byte> data, int target, std::size_t offset) const {
  const int count = checked_count(data.size());
  check(MPI_Put(data.data(), count, MPI_BYTE, target, static_cast<MPI_Aint>(offset), count, MPI_BYTE, win_), "MPI_Put");
}

void Window::get(std::span<std::byte> out, int target, std::size_t offset) const {
  const int count = checked_count(out.size());
  check(MPI_Get(out.data(), count, MPI_BYTE, target, static_cast<MPI_Aint>(offset), count, MPI_BYTE, win_), "MPI_Get");
}

void Window::flush(int target) const { check(MPI_Win_flush(target, win_), "MPI_Win_flush"); }

void Window::flush_local(int target) const { check(MPI_Win_flush_local(target, win_), "MPI_Win_flush_local"); }

void Window::flush_all() const { check(MPI_Win_flush_all(win_), "MPI_Win_flush_all"); }

void Window::sync() const { check(MPI_Win_sync(win_), "MPI_Win_sync"); }

bool Window::unified_memory_model() const {
  int* model = nullptr;
  int found = 0;
  check(MPI_Win_get_attr(win_, MPI_WIN_MODEL, &model, &found), "MPI_Win_get_attr(MPI_WIN_MODEL)");
  return found && model && *model == MPI_WIN_UNIFIED;
}

GetRequests::~GetRequests() {
  if (count_ == 0) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Waitall(count_, requests_.data(), MPI_STATUSES_IGNORE);
}

void GetRequests::get(std::span<std::byte> out, int target, std::size_t offset) {
  if (count_ == kMaxGets)
    throw InvalidArgument("more than " + std::to_string(kMaxGets) + " gets outstanding in one GetRequests");
  const int count = checked_count(out.size());
  check(MPI_Rget(out.data(), count, MPI_BYTE, target, static_cast<MPI_Aint>(offset), count, MPI_BYTE, win_,
                 &requests_[static_cast<std::size_t>(count_)]),
        "MPI_Rget");
  ++count_;
}

void GetRequests::wait() {
  const int count = std::exchange(count_, 0);  // a failed wait is not retried by the destructor
  check(MPI_Waitall(count, requests_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
}

LockAllEpoch::LockAllEpoch(const Window& window) : win_(window.get()) {
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "MPI_Win_lock_all");
}

LockAllEpoch::~LockAllEpoch() { MPI_Win_unlock_all(win_); }

}  // namespace penumbra::mpi
