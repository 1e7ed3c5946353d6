#pragma once
/// @file topology.hpp
/// Where each rank runs (hwloc placement, node grouping) and how close every pair of ranks is
/// (distance classes, optionally refined by a measured one-sided latency). Plain data: a Topology can be built
/// from placement records without MPI, which is how policies are tested and simulated at scale.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace penumbra {

/// Distance class between two ranks, nearest first. Ordered: a smaller value is closer.
enum class Proximity : std::uint8_t {
  self,          ///< the same rank
  same_core,     ///< bound to the same core (hyperthreads or oversubscription)
  same_cache,    ///< different cores under one shared cache (L3, else L2)
  same_numa,     ///< one NUMA domain
  same_package,  ///< one package (socket), different NUMA domains
  same_node,     ///< one node (host or virtual node), nothing smaller shared or binding unknown
  other_node,    ///< different nodes
};

/// "self", "core", "cache", "numa", "package", "node", "remote".
std::string_view to_string(Proximity proximity) noexcept;

/// One rank's placement. hwloc indices are logical indices of the smallest object of that type that
/// contains the rank's whole binding; -1 when the binding spans more than one (e.g. unbound ranks).
struct RankPlacement {
  int rank = 0;
  int node = 0;        ///< dense node index, 0..node_count-1, numbered in order of each node's lowest rank
  std::string host;    ///< host name, or "vnode<k>@host" for a virtual node
  int local_rank = 0;  ///< index among the ranks of its node
  int package = -1;
  int numa = -1;
  int cache = -1;  ///< largest shared cache (L3, else L2) containing the binding
  int core = -1;
  bool bound = false;  ///< bound to less than the whole machine
  std::string cpuset;  ///< hwloc list string of the binding, e.g. "0-1"
  int last_cpu = -1;   ///< physical PU the rank last ran on, -1 if unknown
};

/// Placement of all ranks and their pairwise proximity.
class Topology {
 public:
  /// Pure construction (no MPI): `placements[r].rank` must be r. `latency_us`, if not empty, is a row-major
  /// n x n matrix of measured latencies in microseconds. Throws TopologyError on inconsistent input.
  static Topology from_placements(std::vector<RankPlacement> placements, std::vector<double> latency_us = {});

  int rank_count() const noexcept { return static_cast<int>(placements_.size()); }
  int node_count() const noexcept { return node_count_; }
  int node_of(int rank) const;
  const RankPlacement& placement(int rank) const;
  const std::vector<RankPlacement>& placements() const noexcept { return placements_; }
  std::vector<int> ranks_on_node(int node) const;

  /// Distance class of ranks a and b (symmetric).
  Proximity proximity(int a, int b) const;
  /// Measured latency a -> b in microseconds; NaN when no probe ran.
  double latency_us(int a, int b) const;
  bool has_latency() const noexcept { return !latency_us_.empty(); }
  /// All ranks ordered nearest first from `from`: by class, then measured latency (if any), then rank number.
  std::vector<int> ranks_by_proximity(int from) const;

 private:
  void check_rank(int rank) const;
  std::vector<RankPlacement> placements_;
  std::vector<double> latency_us_;
  int node_count_ = 0;
};

/// Pure classification of two placements (used by Topology::proximity, exposed for tests and tools).
Proximity classify(const RankPlacement& a, const RankPlacement& b) noexcept;

}  // namespace penumbra
