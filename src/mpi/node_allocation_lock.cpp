#include "mpi/node_allocation_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mpi/check.hpp"

namespace penumbra::mpi {
namespace {

std::string lock_path() {
  // Per user, so no process meets a lock file it may not open. Never unlinked: removing a lock file while
  // another process waits on it would hand out two locks.
  return "/dev/shm/penumbra-window-allocation." + std::to_string(getuid()) + ".lock";
}

// -1 when the lock cannot be had (no /dev/shm): then we allocate unlocked, as before, rather than fail a
// Runtime that would most likely work; osc/rdma reports a missing backing directory on its own.
int take_lock() {
  const std::string path = lock_path();
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    close(fd);
    return -1;
  }
  return fd;
}

std::uint64_t node_key() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return std::hash<std::string>{}(name);
}

}  // namespace

NodeAllocationLock::NodeAllocationLock(const Communicator& comm) : comm_(&comm) {
  if (!needed()) return;
  const Communicator node = comm.split_shared();
  const bool leader = node.rank() == 0;
  const Communicator leaders = comm.split(leader ? 0 : 1, comm.rank());
  if (leader) {
    // The global order is the order of node keys, the same for every communicator: each leader locks after
    // its predecessor in that order has locked, then passes the turn on.
    const std::uint64_t mine = node_key();
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(leaders.size()));
    check(MPI_Allgather(&mine, 1, MPI_UINT64_T, keys.data(), 1, MPI_UINT64_T, leaders.get()), "MPI_Allgather");
    std::vector<int> order(keys.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      return std::pair(keys[static_cast<std::size_t>(a)], a) < std::pair(keys[static_cast<std::size_t>(b)], b);
    });
    const auto position = static_cast<std::size_t>(std::find(order.begin(), order.end(), leaders.rank()) - order.begin());
    constexpr int kTurnTag = 0x7a11;
    int turn = 0;
    if (position > 0)
      check(MPI_Recv(&turn, 1, MPI_INT, order[position - 1], kTurnTag, leaders.get(), MPI_STATUS_IGNORE), "MPI_Recv");
    lock_fd_ = take_lock();
    if (position + 1 < order.size())
      check(MPI_Send(&turn, 1, MPI_INT, order[position + 1], kTurnTag, leaders.get()), "MPI_Send");
  }
  comm.barrier();
}

NodeAllocationLock::~NodeAllocationLock() {
  if (!needed()) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Barrier(comm_->get());
  if (lock_fd_ >= 0) close(lock_fd_);  // closing the descriptor releases the flock
}

}  // namespace penumbra::mpi
