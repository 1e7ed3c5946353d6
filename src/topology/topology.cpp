// The pure half of the topology: placement records in, proximity out. No MPI, no hwloc.
#include "penumbra/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "penumbra/errors.hpp"

namespace penumbra {

std::string_view to_string(Proximity proximity) noexcept {
  switch (proximity) {
    case Proximity::self:
      return "self";
    case Proximity::same_core:
      return "core";
    case Proximity::same_cache:
      return "cache";
    case Proximity::same_numa:
      return "numa";
    case Proximity::same_package:
      return "package";
    case Proximity::same_node:
      return "node";
    case Proximity::other_node:
      return "remote";
  }
  return "?";
}

Proximity classify(const RankPlacement& a, const RankPlacement& b) noexcept {
  if (a.rank == b.rank) return Proximity::self;
  if (a.node != b.node) return Proximity::other_node;
  const auto shared = [](int x, int y) { return x >= 0 && x == y; };
  if (shared(a.core, b.core)) return Proximity::same_core;
  if (shared(a.cache, b.cache)) return Proximity::same_cache;
  if (shared(a.numa, b.numa)) return Proximity::same_numa;
  if (shared(a.package, b.package)) return Proximity::same_package;
  return Proximity::same_node;
}

Topology Topology::from_placements(std::vector<RankPlacement> placements, std::vector<double> latency_us) {
  const std::size_t n = placements.size();
  if (n == 0) throw TopologyError("topology: no placements (expected one per rank)");
  int nodes = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (placements[r].rank != static_cast<int>(r))
      throw TopologyError(
          fmt::format("topology: placement {} is for rank {} (expected rank {})", r, placements[r].rank, r));
    if (placements[r].node < 0)
      throw TopologyError(fmt::format("topology: rank {} has node {} (expected >= 0)", r, placements[r].node));
    nodes = std::max(nodes, placements[r].node + 1);
  }
  std::vector<bool> seen(static_cast<std::size_t>(nodes));
  for (const auto& placement : placements) seen[static_cast<std::size_t>(placement.node)] = true;
  if (auto gap = std::ranges::find(seen, false); gap != seen.end())
    throw TopologyError(fmt::format("topology: node {} has no rank (expected nodes numbered densely 0..{})",
                                    gap - seen.begin(), nodes - 1));
  if (!latency_us.empty() && latency_us.size() != n * n)
    throw TopologyError(
        fmt::format("topology: latency matrix has {} entries (expected {} x {} = {})", latency_us.size(), n, n, n * n));
  Topology topology;
  topology.placements_ = std::move(placements);
  topology.latency_us_ = std::move(latency_us);
  topology.node_count_ = nodes;
  return topology;
}

void Topology::check_rank(int rank) const {
  if (rank < 0 || rank >= rank_count())
    throw InvalidArgument(fmt::format("rank {} (expected a rank in [0, {}))", rank, rank_count()));
}

int Topology::node_of(int rank) const { return placement(rank).node; }

const RankPlacement& Topology::placement(int rank) const {
  check_rank(rank);
  return placements_[static_cast<std::size_t>(rank)];
}

std::vector<int> Topology::ranks_on_node(int node) const {
  if (node < 0 || node >= node_count_)
    throw InvalidArgument(fmt::format("node {} (expected a node in [0, {}))", node, node_count_));
  std::vector<int> ranks;
  for (const auto& placement : placements_)
    if (placement.node == node) ranks.push_back(placement.rank);
  return ranks;
}

Proximity Topology::proximity(int a, int b) const { return classify(placement(a), placement(b)); }

double Topology::latency_us(int a, int b) const {
  check_rank(a);
  check_rank(b);
  if (latency_us_.empty()) return std::numeric_limits<double>::quiet_NaN();
  return latency_us_[static_cast<std::size_t>(a) * placements_.size() + static_cast<std::size_t>(b)];
}

std::vector<int> Topology::ranks_by_proximity(int from) const {
  check_rank(from);
  std::vector<int> ranks(placements_.size());
  for (std::size_t r = 0; r < ranks.size(); ++r) ranks[r] = static_cast<int>(r);
  const auto key = [&](int r) { return std::tuple(proximity(from, r), has_latency() ? latency_us(from, r) : 0.0, r); };
  std::ranges::sort(ranks, [&](int x, int y) { return key(x) < key(y); });
  return ranks;
}

}  // namespace penumbra
