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
  explicit ObjectIndex(const EpochInput& input);
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

/// Throws InvalidArgument / InvalidLoad naming the bad value: no ranks, an owner out of range, a duplicate
/// id, a negative or non-finite cost, load, size or edge, speed <= 0, threshold <= 0, steps or bandwidth <= 0.
/// With `source == next` every object must carry next_cost >= 0 (the oracle).
ObjectIndex check_input(const EpochInput& input, CostSource source);

/// What a strategy plans on: per-object cost on its owner and per-rank load, in seconds.
///
/// A rank's load is its own figure (measured_load or predicted_load) when that is larger than the sum of its
/// objects' costs (the rest is work no move can shift), else that sum: load = background + sum of costs,
/// background = max(0, rank figure - sum of costs). For `next` (the oracle) the background comes from the
/// prediction and the object costs are the true next ones.
struct LoadView {
  std::vector<double> cost;        ///< per object, seconds on its owner
  std::vector<double> background;  ///< per rank
  std::vector<double> load;        ///< per rank: background + its objects' costs
  std::vector<double> speed;       ///< per rank (> 0)
  /// Per rank: what a balanced rank would carry: its capacity where given (> 0), else its share of the total
  /// load by speed (the mean load when all speeds are equal).
  std::vector<double> reference;
  /// Per rank: one standard deviation of the forecast (0 for measured and next costs: they are not forecasts).
  std::vector<double> uncertainty;

  /// Seconds `object` (owned by `from`) takes on rank `to`.
  double cost_on(std::size_t object, int from, int to) const { return cost[object] * speed[from] / speed[to]; }
};

LoadView make_view(const EpochInput& input, CostSource source);

/// Objects of each rank, by position in EpochInput::objects (a counting sort over owners, O(n)).
std::vector<std::vector<std::uint32_t>> objects_by_rank(const EpochInput& input);

}  // namespace penumbra::balance
