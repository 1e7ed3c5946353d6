#pragma once
// Builders shared by the shadow policy suites: topologies without MPI, round-number cost models, objects.
#include <vector>

#include "penumbra/topology.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/eligibility.hpp"
#include "shadow/placement.hpp"

namespace penumbra::shadow::testing {

/// Unbound ranks; rank r on node node_of[r] (nodes numbered densely). Two ranks on one node are `same_node`,
/// on different nodes `other_node`.
inline Topology nodes(const std::vector<int>& node_of, std::vector<double> latency_us = {}) {
  std::vector<RankPlacement> placements(node_of.size());
  for (std::size_t r = 0; r < node_of.size(); ++r) {
    placements[r].rank = static_cast<int>(r);
    placements[r].node = node_of[r];
  }
  return Topology::from_placements(std::move(placements), std::move(latency_us));
}

/// Every rank on its own node.
inline Topology separate_nodes(int ranks) {
  std::vector<int> node_of(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) node_of[static_cast<std::size_t>(r)] = r;
  return nodes(node_of);
}

/// Round numbers, so that tests can compute values by hand: a local read is free, a read within a node costs
/// 1 us, across nodes 10 us; propagating a version costs exactly the read between owner and holder.
inline CostModel round_costs() {
  CostModel model;
  for (auto& cost : model.read_by_proximity) cost = {1.0, 0.0};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::self)] = {0.0, 0.0};
  model.read_by_proximity[static_cast<std::size_t>(Proximity::other_node)] = {10.0, 0.0};
  model.propagation_base_us = 0.0;
  model.propagation_us_per_kib = 0.0;
  model.owner_service = {0.0, 0.0};  // the owner's copy costs what a shadow there would (see OwnerServiceCost)
  return model;
}

/// Options with no memory rent, so values are read saving minus propagation only.
// The tests were written for k = 3 copies and a 64 MiB budget; they pin those rather than follow the defaults.
inline ShadowOptions no_rent() {
  ShadowOptions options;
  options.memory_weight_us_per_mib = 0.0;
  options.max_copies = 3;
  options.budget_bytes = std::int64_t{64} << 20;
  return options;
}

inline ObjectAccess object(std::uint64_t id, int owner, std::vector<double> reads, double writes = 0.0,
                           std::uint64_t size_bytes = 1024) {
  ObjectAccess access;
  access.id = ObjectId{id};
  access.owner = owner;
  access.size_bytes = size_bytes;
  access.reads_by_rank = std::move(reads);
  access.writes = writes;
  return access;
}

inline std::vector<RankState> ranks_with_headroom(int ranks, double headroom = 1.0) {
  return std::vector<RankState>(static_cast<std::size_t>(ranks), RankState{headroom, {}});
}

}  // namespace penumbra::shadow::testing
