#pragma once
// A bounded, one-sided latency probe between every pair of ranks.
#include <vector>

#include "mpi/communicator.hpp"

namespace penumbra::topology {

/// Collective. Each rank times `samples` MPI_Rget(8 bytes) + wait to every other rank and keeps the
/// median; returns the row-major n x n matrix in microseconds (diagonal 0), identical on every rank.
/// One-sided on an MPI_Win_allocate window, so no target CPU is involved (ENVIRONMENT.md). Cost per rank:
/// samples x (n - 1) gets.
std::vector<double> measure_latency_us(const mpi::Communicator& comm, int samples);

}  // namespace penumbra::topology
