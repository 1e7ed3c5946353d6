#pragma once
/// @file affinity.hpp
/// Where each object is best processed. For an object o and a candidate rank p the score is a weighted sum
/// of six terms (docs/prediction.md, "Affinity"):
///
///   score(o, p) = w_loc  locality(o, p)     share of o's accesses and bytes that come from p, in [0, 1]
///               + w_dep  dependency(o, p)   share of o's dependencies that p owns (1) or shadows
///                                           (shadow_credit), in [0, 1]
///               + w_proc processing(o, p)   (t(o, owner) - t(o, p)) / scale: time saved running o on p, where
///                                           t(o, p) = cost(o) x speed(owner) / speed(p)
///               + w_head headroom(o, p)     (reference(p) - load'(p)) / scale, clamped to [-1, 1], where
///                                           load'(p) = predicted load of p (+ uncertainty_weight x its
///                                           uncertainty) + t(o, p) for p != owner: p's room after taking o
///               + w_prox proximity(o, p)    1 - cost(owner, p) / max cost from owner: near the owner is 1
///               - w_mig  migration(o, p)    (size(o) / bandwidth(owner, p)) / scale, 0 for the owner
///
/// `scale` is the mean predicted rank load (the time terms become fractions of an average rank's epoch) and
/// reference(p) is that same mean; where capacities are given, reference(p) is p's capacity and `scale` the
/// mean capacity. With scale = 0 (no load anywhere) the time terms are 0. An object moves only when its best
/// rank beats its owner by more than `margin` (hysteresis), so small score differences do not make objects
/// oscillate. Pure: plain data in, plain data out.

#include <cstdint>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra {

/// Weights and rules of the affinity score. Config keys: `affinity.<field>`.
struct AffinityOptions {
  double locality_weight = 1.0;    ///< `affinity.locality_weight`, [0, 10]
  double dependency_weight = 0.5;  ///< `affinity.dependency_weight`, [0, 10]
  double processing_weight = 0.5;  ///< `affinity.processing_weight`, [0, 10]
  double headroom_weight = 1.0;    ///< `affinity.headroom_weight`, [0, 10]
  double proximity_weight = 0.25;  ///< `affinity.proximity_weight`, [0, 10]
  double migration_weight = 1.0;   ///< `affinity.migration_weight`, [0, 10]
  /// `affinity.margin`: how much the best rank must beat the owner by to be preferred. [0, 10].
  double margin = 0.1;
  /// `affinity.shadow_credit`: what a shadow of a dependency on p counts for, against 1 for owning it. [0, 1].
  double shadow_credit = 0.5;
  /// `affinity.uncertainty_weight`: kappa in load' = predicted + kappa x uncertainty (pessimistic headroom).
  /// [0, 10].
  double uncertainty_weight = 0.0;
  /// `affinity.default_bandwidth`: bytes per second between two ranks when no bandwidth matrix is given.
  /// (0, 1e15].
  double default_bandwidth = 1e9;
  /// `affinity.full_scan_ranks`: up to this many ranks every rank is a candidate for every object; above
  /// it the candidates are the owner, the ranks that access the object, the ranks that hold its
  /// dependencies, and the `headroom_candidates` least loaded ranks (so the cost per object stays small at
  /// 65,536 ranks). [1, 1048576].
  std::int64_t full_scan_ranks = 256;
  /// `affinity.headroom_candidates`: least-loaded ranks added to the candidates above full_scan_ranks.
  /// [0, 1024].
  std::int64_t headroom_candidates = 4;

  /// Throws ConfigError naming the first bad key, its value and the allowed range.
  void validate() const;

  bool operator==(const AffinityOptions&) const = default;
};

/// Accesses to an object from one rank during the measured epoch.
struct RankAccesses {
  int rank = 0;                ///< origin rank
  std::uint64_t accesses = 0;  ///< reads + writes (AccessCounts::accesses())
  std::uint64_t bytes = 0;     ///< bytes read + written (AccessCounts::bytes())
};

/// One object whose affinity is wanted.
struct AffinityObject {
  ObjectId id;                         ///< the object
  int owner = 0;                       ///< its current owner
  std::uint64_t size_bytes = 0;        ///< what a move transfers
  double cost_seconds = 0.0;           ///< measured cost per epoch on its owner (>= 0)
  std::vector<RankAccesses> accesses;  ///< by origin rank (each rank at most once)
  std::vector<ObjectId> dependencies;  ///< objects o works with (halo neighbours, inputs)
};

/// Where an object's copies are (for the dependency term).
struct ObjectPlacement {
  ObjectId id;               ///< the object
  int owner = 0;             ///< its owner
  std::vector<int> shadows;  ///< ranks holding a shadow copy
};

/// Everything the affinity calculator reads. Optional vectors may be empty (see each field).
struct AffinityInput {
  int rank_count = 0;                   ///< ranks (>= 1); every rank below is in [0, rank_count)
  std::vector<AffinityObject> objects;  ///< the objects to score (each id once)
  /// Owners and shadows of dependency objects (objects of `objects` need not be repeated here: their owner
  /// is known). Dependencies with no known placement are left out of the dependency term.
  std::vector<ObjectPlacement> placements;
  /// Predicted load per rank for the next epoch, seconds (size rank_count, each finite >= 0).
  std::vector<double> predicted_load;
  /// One standard deviation of each prediction (empty, or size rank_count).
  std::vector<double> load_uncertainty;
  /// Seconds of work per epoch each rank can take (empty: headroom against the mean predicted load).
  std::vector<double> capacity;
  /// Relative processing speed per rank, > 0 (empty: all equal).
  std::vector<double> speed;
  /// rank_count x rank_count cost of distance between ranks (latency, or a distance class), >= 0 with a 0
  /// diagonal (empty: the proximity term is 0 for every rank).
  std::vector<std::vector<double>> proximity_cost;
  /// rank_count x rank_count bytes per second between ranks, > 0 off the diagonal (empty:
  /// default_bandwidth).
  std::vector<std::vector<double>> bandwidth;
};

/// The terms of one (object, rank) score, unweighted (for explaining a decision).
struct AffinityTerms {
  double locality = 0.0;    ///< [0, 1]
  double dependency = 0.0;  ///< [0, 1]
  double processing = 0.0;  ///< time saved on this rank, fraction of `scale`
  double headroom = 0.0;    ///< [-1, 1]
  double proximity = 0.0;   ///< [0, 1]
  double migration = 0.0;   ///< transfer time, fraction of `scale` (subtracted)
};

/// The score of one candidate rank for one object.
struct RankScore {
  int rank = 0;         ///< the candidate
  double score = 0.0;   ///< the weighted sum
  AffinityTerms terms;  ///< its terms, unweighted
};

/// The affinity of one object.
struct Affinity {
  ObjectId id;    ///< the object
  int owner = 0;  ///< its current owner
  /// Where the object should be: the best rank if it beats the owner by more than the margin, else the
  /// owner.
  int preferred_rank = 0;
  /// Score of preferred_rank.
  double score = 0.0;
  /// Score of the owner (the object staying where it is).
  double owner_score = 0.0;
  /// The best-scoring rank other than the owner (-1 when the owner is the only candidate), and its score,
  /// whether or not it beat the margin.
  int best_other_rank = -1;
  double best_other_score = 0.0;  ///< score of best_other_rank

  /// True when the object should move.
  bool better_elsewhere() const noexcept { return preferred_rank != owner; }
};

/// Computes affinities from an AffinityInput. Stateless apart from its options; thread-safe.
class AffinityCalculator {
 public:
  /// Validates the options (ConfigError).
  explicit AffinityCalculator(AffinityOptions options = {});
  /// The options in use.
  const AffinityOptions& options() const noexcept { return options_; }

  /// One Affinity per input object, in input order. Throws InvalidLoad / InvalidArgument naming the bad
  /// value for inconsistent input (sizes, ranks out of range, NaN or negative loads and costs).
  std::vector<Affinity> compute(const AffinityInput& input) const;
  /// Every candidate's score and terms for input object `index`, best first (ties: owner, then nearer to
  /// the owner, then lower rank). For explaining and testing a decision.
  std::vector<RankScore> explain(const AffinityInput& input, std::size_t index) const;

 private:
  AffinityOptions options_;
};

}  // namespace penumbra
