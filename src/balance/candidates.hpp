#pragma once
// Which objects an overloaded rank offers, in which order, and what each move would gain: the predictive
// strategy's view of one donor. Pure.
#include <cstdint>
#include <vector>

#include "balance/coordination.hpp"
#include "balance/snapshot.hpp"

namespace penumbra::balance {

/// Where one candidate's communication goes: bytes per step to objects on its own rank, and to other ranks.
struct Neighbourhood {
  double internal_bytes = 0.0;
  std::vector<std::pair<int, double>> external;  ///< (rank, bytes per step), each rank once
  double bytes_to(int rank) const {
    for (const auto& [r, bytes] : external)
      if (r == rank) return bytes;
    return 0.0;
  }
};

/// The offers of all donors, parallel to `donors`.
struct DonorOffers {
  std::vector<std::vector<Candidate>> candidates;
  std::vector<std::vector<Neighbourhood>> neighbourhoods;
};

/// Seconds a move of input.objects[object] from `from` to `to` saves over the next epoch: its cost (the
/// donor's relief), minus the communication that becomes remote for steps_until_next_epoch steps, minus the
/// one transfer (size / bandwidth). Positive: the move pays back before the next epoch.
double move_gain(const EpochInput& input, double cost, std::uint32_t object, const Neighbourhood& neighbours, int to);

/// For each donor: its objects with a positive best-case gain that fit in the largest room a receiver has
/// (`largest_room`: the most work, in seconds x speed, any receiver can take before its limit; an object of
/// cost c on a donor of speed s needs c x s of it), by benefit per byte (best gain / size, then id), cut once
/// their cost covers twice the donor's excess (the rest could not be needed, and keeping the cut keeps the
/// affinity scoring and the protocol proportional to what moves, not to all objects). Without the room
/// filter the cut would be filled by the heaviest objects first, and where those fit nowhere (an object a
/// fifth of a rank's load, receivers a tenth below their limit) a donor would offer nothing that can move.
DonorOffers select_candidates(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                              const std::vector<int>& donors, const std::vector<double>& excess, double largest_room);

}  // namespace penumbra::balance
