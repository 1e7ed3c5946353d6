#include "penumbra/topology.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

RankPlacement at(int rank, int node, int package, int numa, int cache, int core) {
  RankPlacement placement;
  placement.rank = rank;
  placement.node = node;
  placement.package = package;
  placement.numa = numa;
  placement.cache = cache;
  placement.core = core;
  placement.bound = true;
  return placement;
}

// Two nodes. Node 0: ranks 0,1 share a core; rank 2 shares their L3; rank 3 another L3 in the same NUMA
// domain; rank 4 another NUMA domain of the same package; rank 5 another package. Node 1: ranks 6, 7 unbound.
std::vector<RankPlacement> two_nodes() {
  std::vector<RankPlacement> p = {at(0, 0, 0, 0, 0, 0),     at(1, 0, 0, 0, 0, 0),    at(2, 0, 0, 0, 0, 1),
                                  at(3, 0, 0, 0, 1, 4),     at(4, 0, 0, 1, 2, 8),    at(5, 0, 1, 2, 4, 16),
                                  at(6, 1, -1, -1, -1, -1), at(7, 1, -1, -1, -1, -1)};
  p[6].bound = p[7].bound = false;
  return p;
}

TEST(Proximity, ClassesFromSharedHardware) {
  const Topology t = Topology::from_placements(two_nodes());
  EXPECT_EQ(t.proximity(0, 0), Proximity::self);
  EXPECT_EQ(t.proximity(0, 1), Proximity::same_core);
  EXPECT_EQ(t.proximity(0, 2), Proximity::same_cache);
  EXPECT_EQ(t.proximity(0, 3), Proximity::same_numa);
  EXPECT_EQ(t.proximity(0, 4), Proximity::same_package);
  EXPECT_EQ(t.proximity(0, 5), Proximity::same_node);
  EXPECT_EQ(t.proximity(6, 7), Proximity::same_node);  // unbound: nothing smaller is known to be shared
  EXPECT_EQ(t.proximity(0, 6), Proximity::other_node);
  for (int a = 0; a < 8; ++a)
    for (int b = 0; b < 8; ++b) EXPECT_EQ(t.proximity(a, b), t.proximity(b, a));
}

TEST(Proximity, NamesAreShort) {
  EXPECT_EQ(to_string(Proximity::same_cache), "cache");
  EXPECT_EQ(to_string(Proximity::other_node), "remote");
}

TEST(Topology, NodesAndMembers) {
  const Topology t = Topology::from_placements(two_nodes());
  EXPECT_EQ(t.rank_count(), 8);
  EXPECT_EQ(t.node_count(), 2);
  EXPECT_EQ(t.node_of(7), 1);
  EXPECT_EQ(t.ranks_on_node(1), (std::vector<int>{6, 7}));
  EXPECT_FALSE(t.has_latency());
  EXPECT_TRUE(std::isnan(t.latency_us(0, 1)));
}

TEST(Topology, NearestFirstByClassThenRank) {
  const Topology t = Topology::from_placements(two_nodes());
  EXPECT_EQ(t.ranks_by_proximity(0), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(t.ranks_by_proximity(6), (std::vector<int>{6, 7, 0, 1, 2, 3, 4, 5}));
}

TEST(Topology, MeasuredLatencyBreaksTiesWithinAClass) {
  std::vector<RankPlacement> p = {at(0, 0, -1, -1, -1, -1), at(1, 1, -1, -1, -1, -1), at(2, 1, -1, -1, -1, -1),
                                  at(3, 0, -1, -1, -1, -1)};
  // From rank 0: rank 3 is on its node; ranks 1 and 2 are remote, rank 2 measured nearer than rank 1.
  std::vector<double> latency(16, 0.0);
  latency[0 * 4 + 1] = 9.0;
  latency[0 * 4 + 2] = 3.0;
  latency[0 * 4 + 3] = 50.0;  // slower, but a nearer class still comes first
  const Topology t = Topology::from_placements(p, latency);
  EXPECT_EQ(t.ranks_by_proximity(0), (std::vector<int>{0, 3, 2, 1}));
  EXPECT_EQ(t.latency_us(0, 2), 3.0);
}

TEST(Topology, InconsistentInputIsATopologyError) {
  EXPECT_THROW(Topology::from_placements({}), TopologyError);
  EXPECT_THROW(Topology::from_placements({at(1, 0, 0, 0, 0, 0)}), TopologyError);  // rank mismatch
  EXPECT_THROW(Topology::from_placements({at(0, 0, 0, 0, 0, 0), at(1, 2, 0, 0, 0, 0)}), TopologyError);  // gap
  EXPECT_THROW(Topology::from_placements({at(0, -1, 0, 0, 0, 0)}), TopologyError);
  EXPECT_THROW(Topology::from_placements({at(0, 0, 0, 0, 0, 0)}, {1.0, 2.0}), TopologyError);
}

TEST(Topology, BadRanksAreInvalidArguments) {
  const Topology t = Topology::from_placements(two_nodes());
  EXPECT_THROW(t.node_of(8), InvalidArgument);
  EXPECT_THROW(t.proximity(-1, 0), InvalidArgument);
  EXPECT_THROW(t.ranks_on_node(2), InvalidArgument);
}

}  // namespace
}  // namespace penumbra
