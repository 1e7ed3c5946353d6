#pragma once
// An AffinityInput checked and turned into what every object's scoring needs (per-rank effective load,
// speed, where every known object is, the least loaded ranks), computed once per compute() call.
#include <unordered_map>
#include <vector>

#include "penumbra/affinity.hpp"

namespace penumbra::affinity {

/// Where one object's copies are.
struct Location {
  int owner = 0;
  const std::vector<int>* shadows = nullptr;  ///< null: none known
};

struct Context {
  /// Checks `input` (InvalidArgument / InvalidLoad naming the bad value) and derives the fields below.
  Context(const AffinityInput& input, const AffinityOptions& options);

  const AffinityInput& input;
  int ranks = 0;
  std::vector<double> load;                          ///< predicted + uncertainty_weight x uncertainty
  std::vector<double> reference;                     ///< capacity, or the mean of `load` for every rank
  std::vector<double> speed;                         ///< 1 for every rank when not given
  double scale = 0.0;                                ///< mean capacity, or mean load; 0 turns the time terms off
  std::vector<double> max_proximity_cost;            ///< per rank, the largest cost from it (empty: no matrix)
  std::vector<int> least_loaded;                     ///< headroom_candidates ranks, least loaded first
  std::unordered_map<ObjectId, Location> locations;  ///< placements, and the owners of `objects`

  /// proximity_cost[a][b], 0 without a matrix.
  double proximity_cost(int a, int b) const;
  /// bandwidth[a][b], `fallback` without a matrix.
  double bandwidth(int a, int b, double fallback) const;
};

}  // namespace penumbra::affinity
