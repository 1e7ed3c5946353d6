#pragma once
// Serialises window allocation on each node between disjoint communicators of one job.
//
// Open MPI 4.1's osc/rdma backs the node-local part of every window with a file named
// <backing dir>/osc_rdma.<node>.<jobid>.<communicator context id>. Disjoint communicators made by one
// MPI_Comm_split share context ids, so two of them allocating windows at the same time on one node open the
// same file: one group fails with ENOENT after the other unlinks it (seen in our CI: runtime_mpi_test.np8,
// WorksOnASubCommunicator), or worse, both map the same memory. Upstream fixed the name in 5.0 (ompi #9492);
// until then every MPI_Win_allocate we make runs under this lock. Cost: a few small collectives and one
// flock per node, once per window, and windows are only made when a Runtime is built.
#include "mpi/communicator.hpp"

namespace penumbra::mpi {

class NodeAllocationLock {
 public:
  /// Collective over `comm`. Returns when one process per node of `comm` holds that node's lock (taken in
  /// one global node order, so two communicators that span the same nodes cannot deadlock).
  explicit NodeAllocationLock(const Communicator& comm);
  /// Collective: waits for every process of `comm` (so no one is still inside the allocation), then releases.
  ~NodeAllocationLock();
  NodeAllocationLock(const NodeAllocationLock&) = delete;
  NodeAllocationLock& operator=(const NodeAllocationLock&) = delete;

  /// False where the bug does not exist (not Open MPI, or Open MPI 5 and later): then nothing is locked.
  static constexpr bool needed() noexcept {
#if defined(OMPI_MAJOR_VERSION) && OMPI_MAJOR_VERSION < 5
    return true;
#else
    return false;
#endif
  }

 private:
  const Communicator* comm_ = nullptr;
  int lock_fd_ = -1;
};

}  // namespace penumbra::mpi
