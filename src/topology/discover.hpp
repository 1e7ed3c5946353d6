#pragma once
// The mechanism half of the topology: hwloc on each rank, node grouping and the exchange over MPI.
#include "mpi/communicator.hpp"
#include "penumbra/topology.hpp"

namespace penumbra::topology {

struct DiscoveryOptions {
  int virtual_nodes = 0;  ///< 0: nodes are hosts; k: ranks split into k contiguous groups
  bool latency_probe = false;
  int latency_probe_samples = 16;
};

/// Collective: every rank gets the same Topology. Honours HWLOC_XMLFILE and HWLOC_SYNTHETIC; on such an
/// emulated machine the real binding means nothing, so rank i of a node is placed on core i mod cores, as
/// `mpirun --map-by core` would. Throws ConfigError when virtual_nodes exceeds the number of ranks.
Topology discover(const mpi::Communicator& comm, const DiscoveryOptions& options);

}  // namespace penumbra::topology
