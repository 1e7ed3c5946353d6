#pragma once
// Where each candidate would go by affinity (the AffinityCalculator of the prediction issue: accesses,
// communication edges as dependencies, processing speed, predicted headroom and migration cost).
#include "balance/candidates.hpp"
#include "penumbra/affinity.hpp"

namespace penumbra::balance {

/// Sets Candidate::preferred of every offer to its best rank other than its owner (-1 when the calculator
/// has none). Scores only the candidates, so its cost follows what may move, not the whole snapshot.
void set_preferred_targets(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                           const AffinityCalculator& calculator, DonorOffers& offers);

}  // namespace penumbra::balance
