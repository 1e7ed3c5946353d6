// Runs with PENUMBRA_VIRTUAL_NODES=2 (set by ctest): multi-node logic on one host, through the public Runtime.
#include <gtest/gtest.h>
#include <mpi.h>

#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

TEST(VirtualNodes, RanksSplitIntoTwoContiguousNodes) {
  Runtime rt{MPI_COMM_WORLD};
  ASSERT_EQ(rt.config().virtual_nodes, 2) << "this suite expects PENUMBRA_VIRTUAL_NODES=2";
  const Topology& topology = rt.topology();
  EXPECT_EQ(topology.node_count(), 2);
  const int half = rt.size() / 2;
  for (int r = 0; r < rt.size(); ++r) {
    EXPECT_EQ(topology.node_of(r), r < half ? 0 : 1) << "rank " << r;
    EXPECT_EQ(topology.placement(r).local_rank, r < half ? r : r - half);
  }
  for (int a = 0; a < rt.size(); ++a)
    for (int b = 0; b < rt.size(); ++b) {
      const bool same_group = (a < half) == (b < half);
      EXPECT_EQ(topology.proximity(a, b) == Proximity::other_node, !same_group) << a << " " << b;
    }
  EXPECT_NE(topology.placement(0).host.find("vnode0@"), std::string::npos);
}

TEST(VirtualNodes, NearestRanksStayOnTheVirtualNode) {
  Runtime rt{MPI_COMM_WORLD};
  const auto order = rt.topology().ranks_by_proximity(rt.rank());
  const int on_my_node = static_cast<int>(rt.topology().ranks_on_node(rt.topology().node_of(rt.rank())).size());
  for (int k = 0; k < rt.size(); ++k)
    EXPECT_EQ(rt.topology().node_of(order[static_cast<std::size_t>(k)]) == rt.topology().node_of(rt.rank()),
              k < on_my_node);
}

}  // namespace
}  // namespace penumbra
