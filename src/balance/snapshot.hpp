#pragma once
// The checked EpochInput and the load view a strategy plans on. Shared by every strategy so that bad input
// is rejected with the same words whichever strategy is configured, and so that "a rank's load" means the
// same thing in greedy, refine and predictive.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "penumbra/balance.hpp"

namespace penumbra::balance {

/// Which per-object cost a strategy plans on.
enum class CostSource : std::uint8_t { measured, predicted, next };

/// Finds an object's position in EpochInput::objects by id: by subtraction when the ids are consecutive, by
/// binary search when they ascend (the runtime and the simulator produce them so), else by one sort. No hash
/// table: its 6.5M inserts alone would take most of the 1 s planning budget at 65,536 partitions.
class ObjectIndex {
 public:
  /// Checks whether the ids ascend itself.
  explicit ObjectIndex(const EpochInput& input);
  /// `ascending`: the caller has already checked that the ids strictly ascend (prepare() does, in the same
  /// pass as everything else: every pass over 6.5M objects costs ~0.1 s).
  ObjectIndex(const EpochInput& input, bool ascending);
  /// Position of `id`, or nullopt when the snapshot does not hold it (an edge to an unknown object).
  std::optional<std::size_t> find(ObjectId id) const;
  /// The first duplicated id, if any.
  std::optional<ObjectId> duplicate() const { return duplicate_; }

 private:
  const EpochInput& input_;
  bool ascending_ = true;
  bool dense_ = false;  // ascending and consecutive: the position is id - first id
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted_;  // (id, position) when not ascending
  std::optional<ObjectId> duplicate_;
};

/// What a strategy plans on: per-object cost on its owner and per-rank load, in seconds.
///
/// A rank's load is its own figure (measured_load or predicted_load) when that is larger than the sum of its
/// objects' costs (the rest is work no move can shift), else that sum: load = background + sum of costs,
/// background = max(0, rank figure - sum of costs). For `next` (the oracle) the background comes from the
/// prediction and the object costs are the true next ones.
struct LoadView {
  std::vector<double> cost;        ///< per object, seconds on its owner
  std::vector<int> owner;          ///< per object (a compact copy: scans over owners stay in cache)
  std::vector<double> background;  ///< per rank
  std::vector<double> load;        ///< per rank: background + its objects' costs
  std::vector<double> speed;       ///< per rank (> 0)
  /// Per rank: the seconds a balanced rank would be busy: its capacity where given (> 0), else the total work
  /// (load x speed) over the total speed, the same for every rank (the mean load when all speeds are equal).
  std::vector<double> reference;
  /// Per rank: one standard deviation of the forecast (0 for measured and next costs: they are not forecasts).
  std::vector<double> uncertainty;

  /// Seconds `object` (owned by `from`) takes on rank `to`.
  double cost_on(std::size_t object, int from, int to) const { return cost[object] * speed[from] / speed[to]; }
};

/// A checked snapshot and its load view, built in one pass over the objects.
struct Prepared {
  ObjectIndex index;
  LoadView view;
};

/// Throws InvalidArgument / InvalidLoad naming the bad value: no ranks, an owner out of range, a duplicate
/// id, a negative or non-finite cost or rank figure, speed <= 0, threshold, steps or bandwidth <= 0. With
/// `source == next` every object must carry next_cost >= 0 (the oracle). Edges and accesses are checked
/// where a strategy reads them (candidates.cpp, the affinity calculator, zoltan): reading every object's
/// edge list here would be one more pass over scattered memory for every plan.
Prepared prepare(const EpochInput& input, CostSource source);

/// Objects of each rank, by position (a counting sort over the owners, O(n)).
std::vector<std::vector<std::uint32_t>> objects_by_rank(const std::vector<int>& owners, std::size_t ranks);

}  // namespace penumbra::balance
