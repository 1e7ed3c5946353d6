// Topology discovery under mpiexec: real hwloc, real node grouping, emulated machines, the latency probe.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdlib>

#include "core/checksum.hpp"
#include "mpi/communicator.hpp"
#include "penumbra/errors.hpp"
#include "topology/discover.hpp"

namespace penumbra {
namespace {

mpi::Communicator world() { return mpi::Communicator::duplicate(MPI_COMM_WORLD); }

std::uint64_t digest(const Topology& topology) {
  std::string text;
  for (const auto& p : topology.placements())
    text += std::to_string(p.rank) + "/" + std::to_string(p.node) + "/" + p.host + "/" + std::to_string(p.local_rank) +
            "/" + std::to_string(p.package) + "/" + std::to_string(p.numa) + "/" + std::to_string(p.cache) + "/" +
            std::to_string(p.core) + "/" + p.cpuset + ";";
  return fnv1a64(std::as_bytes(std::span(text.data(), text.size())));
}

// Restores an environment variable when the test ends, pass or fail.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnvironment() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(TopologyDiscovery, EveryRankSeesTheSameTopology) {
  const auto comm = world();
  const Topology topology = topology::discover(comm, {});
  EXPECT_EQ(topology.rank_count(), comm.size());
  const std::uint64_t mine = digest(topology);
  std::uint64_t low = 0, high = 0;
  MPI_Allreduce(&mine, &low, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&mine, &high, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(low, high);
}

TEST(TopologyDiscovery, NodesFollowSharedMemoryGroups) {
  const auto comm = world();
  const Topology topology = topology::discover(comm, {});
  const auto node = comm.split_shared();
  // Every rank that shares memory with me is on my node, and my node has exactly those ranks.
  EXPECT_EQ(static_cast<int>(topology.ranks_on_node(topology.node_of(comm.rank())).size()), node.size());
  EXPECT_EQ(topology.placement(comm.rank()).local_rank, node.rank());
  for (int a = 0; a < comm.size(); ++a) {
    EXPECT_EQ(topology.proximity(a, a), Proximity::self);
    for (int b = 0; b < comm.size(); ++b) EXPECT_EQ(topology.proximity(a, b), topology.proximity(b, a));
  }
}

TEST(TopologyDiscovery, SyntheticMachinePlacesRanksOnConsecutiveCores) {
  const ScopedEnvironment synthetic("HWLOC_SYNTHETIC", "pack:2 numa:2 l3:2 core:4 pu:2");
  const auto comm = world();
  const Topology topology = topology::discover(comm, {});
  const RankPlacement& mine = topology.placement(comm.rank());
  // Local rank i sits on core i: 4 cores per L3, 2 L3 per NUMA domain, 2 NUMA domains per package.
  const int i = mine.local_rank;
  EXPECT_TRUE(mine.bound);
  EXPECT_EQ(mine.core, i);
  EXPECT_EQ(mine.cache, i / 4);
  EXPECT_EQ(mine.numa, i / 8);
  EXPECT_EQ(mine.package, i / 16);
  if (comm.size() >= 2) {
    EXPECT_EQ(topology.proximity(0, 1), Proximity::same_cache);
  }
  if (comm.size() >= 5) {
    EXPECT_EQ(topology.proximity(0, 4), Proximity::same_numa);
  }
}

TEST(TopologyDiscovery, BadSyntheticDescriptionIsATopologyError) {
  const ScopedEnvironment synthetic("HWLOC_SYNTHETIC", "pack:two");
  const auto comm = world();
  EXPECT_THROW(topology::discover(comm, {}), TopologyError);
}

TEST(TopologyDiscovery, LatencyProbeMeasuresEveryPair) {
  const auto comm = world();
  const Topology topology = topology::discover(comm, {.latency_probe = true, .latency_probe_samples = 4});
  ASSERT_TRUE(topology.has_latency());
  for (int a = 0; a < comm.size(); ++a)
    for (int b = 0; b < comm.size(); ++b) {
      const double latency = topology.latency_us(a, b);
      EXPECT_TRUE(std::isfinite(latency));
      if (a == b)
        EXPECT_EQ(latency, 0.0);
      else
        EXPECT_GT(latency, 0.0);
    }
}

TEST(TopologyDiscovery, MoreVirtualNodesThanRanksIsAConfigError) {
  const auto comm = world();
  try {
    topology::discover(comm, {.virtual_nodes = comm.size() + 1});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "virtual_nodes");
    EXPECT_EQ(error.value(), std::to_string(comm.size() + 1));
  }
}

}  // namespace
}  // namespace penumbra
