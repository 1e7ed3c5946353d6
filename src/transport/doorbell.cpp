#include "transport/doorbell.hpp"

#include <atomic>
#include <cstring>

#include "mpi/check.hpp"

namespace penumbra::transport {

namespace {
// MPI_Win_allocate does not zero the memory; every counter must be zero before anyone may ring it.
mpi::Window zeroed_counter(const mpi::Communicator& comm) {
  mpi::Window window = mpi::Window::allocate(comm, sizeof(std::uint32_t));
  std::memset(window.base(), 0, sizeof(std::uint32_t));
  mpi::check(MPI_Barrier(comm.get()), "MPI_Barrier");
  return window;
}
}  // namespace

Doorbell::Doorbell(const mpi::Communicator& comm)
    : window_(zeroed_counter(comm)), epoch_(window_), unified_(window_.unified_memory_model()) {}

void Doorbell::ring(int target) {
  static const std::uint32_t one = 1;
  MPI_Request request = MPI_REQUEST_NULL;
  mpi::check(MPI_Raccumulate(&one, 1, MPI_UINT32_T, target, 0, 1, MPI_UINT32_T, MPI_SUM, window_.get(), &request),
             "MPI_Raccumulate");
  mpi::check(MPI_Wait(&request, MPI_STATUS_IGNORE), "MPI_Wait");
}

std::uint32_t Doorbell::rings() const noexcept {
  if (!unified_) MPI_Win_sync(window_.get());
  // The word is only ever changed by MPI atomics; an atomic load is the reader's half of that.
  return std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(window_.base())).load(std::memory_order_acquire);
}

}  // namespace penumbra::transport
