#pragma once
// Reference placements for the Zipf part of penumbra-bench-shadow: what a placement within a shadow budget
// could reach, from the read law, who owns what and the read costs the run measured. Pure (no MPI), so that
// the unit tests check them on hand-computed cases.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

namespace penumbra::bench {

/// The time a read costs, us, by where it finds the value: a local copy, another rank's window (one-sided), or
/// the owner's CPU.
struct ReadCosts {
  double local = 0, one_sided = 0, owner = 0;
};

/// A placement every rank can make within `budget_slots` slots: `local_slots` copies of the most read objects
/// it does not own, and home copies of its own most read objects in the other slots, plus `resident_slots`
/// home copies outside the budget (shadow.resident_bytes: home copies that are their object's storage).
struct SplitPlacement {
  std::size_t local_slots = 0;
  double local_share = 0;
  double mean_read_us = 0;  ///< expected read time under `costs`: local, else one-sided if any rank holds a copy
};

namespace zipf_references_detail {

/// Each rank's own and others' objects, most read first.
struct RankedObjects {
  std::vector<std::vector<std::size_t>> own, others;
};

inline RankedObjects rank_objects(const std::vector<double>& probability, const std::vector<int>& owner, int ranks) {
  std::vector<std::size_t> by_reads(probability.size());
  std::iota(by_reads.begin(), by_reads.end(), std::size_t{0});
  std::ranges::stable_sort(by_reads, [&](std::size_t a, std::size_t b) { return probability[a] > probability[b]; });
  RankedObjects ranked{std::vector<std::vector<std::size_t>>(static_cast<std::size_t>(ranks)),
                       std::vector<std::vector<std::size_t>>(static_cast<std::size_t>(ranks))};
  for (int rank = 0; rank < ranks; ++rank)
    for (std::size_t i : by_reads) (owner[i] == rank ? ranked.own : ranked.others)[static_cast<std::size_t>(rank)].push_back(i);
  return ranked;
}

/// The split with `local_slots` local copies per rank (the rest of `budget_slots`, and `resident_slots` more,
/// home copies): its local share, and its expected read time under `costs`.
inline SplitPlacement evaluate_split(const std::vector<double>& probability, const RankedObjects& ranked,
                                     std::size_t budget_slots, std::size_t local_slots, const ReadCosts& costs,
                                     std::size_t resident_slots = 0) {
  const std::size_t objects = probability.size();
  const std::size_t ranks = ranked.own.size();
  std::vector<char> copied(objects, 0);  // a home copy or a shadow somewhere: others read it one-sided
  std::vector<std::vector<char>> local(ranks, std::vector<char>(objects, 0));
  for (std::size_t r = 0; r < ranks; ++r) {
    for (std::size_t i : ranked.own[r]) local[r][i] = 1;
    for (std::size_t k = 0; k < std::min(local_slots, ranked.others[r].size()); ++k)
      local[r][ranked.others[r][k]] = copied[ranked.others[r][k]] = 1;
    for (std::size_t k = 0; k < std::min(budget_slots - local_slots + resident_slots, ranked.own[r].size()); ++k)
      copied[ranked.own[r][k]] = 1;
  }
  double share = 0, mean = 0;
  for (std::size_t r = 0; r < ranks; ++r)
    for (std::size_t i = 0; i < objects; ++i) {
      const bool here = local[r][i] != 0;
      share += here ? probability[i] : 0;
      mean += probability[i] * (here ? costs.local : copied[i] ? costs.one_sided : costs.owner);
    }
  const double n = ranks > 0 ? static_cast<double>(ranks) : 1.0;
  return {local_slots, share / n, mean / n};
}

}  // namespace zipf_references_detail

/// The ceiling of the local share under a shadow budget of `budget_slots` copies per rank, for ranks that all
/// read by the same law (`probability[i]` = share of reads going to object i) and own the objects `owner[i]`:
/// the best any placement can do is to fill each rank's slots with the most read objects it does not own (the
/// split with every slot local). Ranks issue the same number of reads, so the ceiling is the mean over ranks.
/// Pure; the benchmark prints it next to the policy's.
inline double best_local_share(const std::vector<double>& probability, const std::vector<int>& owner, int ranks,
                               std::size_t budget_slots) {
  using namespace zipf_references_detail;
  return evaluate_split(probability, rank_objects(probability, owner, ranks), budget_slots, budget_slots, {})
      .local_share;
}

/// The best split (fewest expected us per read) over local_slots = 0 .. budget_slots, with the same split on
/// every rank: a reference for the policy at that budget, from the law, the ownership and the measured costs.
/// Not a proof that nothing does better (a split per rank could), but the policy's choice is of this kind: home
/// copies serve every reader of an object one-sided, shadows one rank locally. Pure.
inline SplitPlacement best_split_placement(const std::vector<double>& probability, const std::vector<int>& owner,
                                           int ranks, std::size_t budget_slots, const ReadCosts& costs,
                                           std::size_t resident_slots = 0) {
  using namespace zipf_references_detail;
  const RankedObjects ranked = rank_objects(probability, owner, ranks);
  SplitPlacement best;
  best.mean_read_us = std::numeric_limits<double>::infinity();
  for (std::size_t local_slots = 0; local_slots <= budget_slots; ++local_slots) {
    const SplitPlacement split = evaluate_split(probability, ranked, budget_slots, local_slots, costs, resident_slots);
    if (split.mean_read_us < best.mean_read_us) best = split;
  }
  return best;
}

}  // namespace penumbra::bench
