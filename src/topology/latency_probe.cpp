#include "topology/latency_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>

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
        // The operation the read paths use (shadow slots, metadata records): a get completed by its request.
        // A flush would also enter the progress engine, which yields the core on oversubscribed ranks and made
        // every pair look 5-10 us apart on one node.
        const auto start = std::chrono::steady_clock::now();
        {
          mpi::GetRequests gets(window);
          gets.get(std::as_writable_bytes(std::span(&sink, 1)), target, 0);
          gets.wait();
        }
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
