#include "topology/latency_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>

#include "mpi/check.hpp"
#include "mpi/collectives.hpp"
#include "mpi/window.hpp"

namespace penumbra::topology {

std::vector<double> measure_latency_us(const mpi::Communicator& comm, int samples) {
  const int n = comm.size();
  std::vector<double> row(static_cast<std::size_t>(n), 0.0);
  {
    mpi::Window window = mpi::Window::allocate(comm, sizeof(std::uint64_t));
    mpi::LockAllEpoch epoch(window);
    std::uint64_t sink = 0;
    std::vector<double> times(static_cast<std::size_t>(samples));
    for (int step = 1; step < n; ++step) {
      const int target = (comm.rank() + step) % n;  // staggered, so ranks do not all probe one target at once
      for (double& time : times) {
        const auto start = std::chrono::steady_clock::now();
        mpi::check(MPI_Get(&sink, 1, MPI_UINT64_T, target, 0, 1, MPI_UINT64_T, window.get()), "MPI_Get");
        mpi::check(MPI_Win_flush(target, window.get()), "MPI_Win_flush");
        time = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      }
      std::ranges::nth_element(times, times.begin() + samples / 2);
      row[static_cast<std::size_t>(target)] = times[static_cast<std::size_t>(samples / 2)];
    }
    comm.barrier();  // nobody frees the window while another rank still reads it
  }
  return mpi::allgatherv<double>(comm, row);
}

}  // namespace penumbra::topology
