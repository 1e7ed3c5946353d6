#pragma once
// A rank's doorbell: one counter in an MPI_Win_allocate window that a requester increments, one-sided, right
// after posting a request to that rank. The rank reads its own counter with a plain atomic load (nanoseconds,
// no MPI call), so it can look at every object call and probe for requests only when some were sent since it
// last served. Without it a rank busy in short object calls finds requests only at its paced probes: an empty
// MPI_Iprobe yields the core when ranks are oversubscribed (~10 us here), the pacer keeps those under a tenth
// of the time, so probes are ~100 us apart and a reader waited 30-50 us for an owner that was running.
// The ring is an MPI_Raccumulate (MPI_SUM, 32-bit: 64-bit atomics crash osc/rdma, ENVIRONMENT.md), which
// Open MPI applies without the target's CPU on MPI_Win_allocate windows. It is an accelerator, not the
// guarantee: the callers keep their paced probes, so a ring that lands late only costs what it saved.
#include <cstdint>

#include "mpi/communicator.hpp"
#include "mpi/window.hpp"

namespace penumbra::transport {

class Doorbell {
 public:
  /// Collective over `comm` (allocates the window and opens a passive-target epoch on it).
  explicit Doorbell(const mpi::Communicator& comm);
  Doorbell(const Doorbell&) = delete;
  Doorbell& operator=(const Doorbell&) = delete;

  /// Adds one to `target`'s counter. The ring needs only local completion: nothing waits for it to land.
  void ring(int target);
  /// How many rings this rank's counter has seen, modulo 2^32 (compare by difference, not order).
  std::uint32_t rings() const noexcept;

 private:
  mpi::Window window_;
  mpi::LockAllEpoch epoch_;  // after window_: unlocked before the window is freed
  bool unified_ = false;     // plain loads see remote updates; otherwise each read takes an MPI_Win_sync
};

/// Rings not matched yet by requests taken: `rings` - `taken`, as a signed 32-bit difference (a ring may land
/// after its request was already taken, and both counters wrap), floored at 0. Pure.
constexpr std::uint32_t unanswered_rings(std::uint32_t rings, std::uint32_t taken) noexcept {
  const auto ahead = static_cast<std::int32_t>(rings - taken);
  return ahead > 0 ? static_cast<std::uint32_t>(ahead) : 0u;
}

}  // namespace penumbra::transport
