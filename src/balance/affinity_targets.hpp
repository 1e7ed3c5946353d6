#pragma once
// Where each candidate would go by affinity (the AffinityCalculator of the prediction issue: accesses,
// communication edges as dependencies, processing speed, predicted headroom and migration cost).
#include "balance/candidates.hpp"
#include "penumbra/affinity.hpp"

namespace penumbra::balance {

/// Sets Candidate::preferred to the candidate's best rank other than its owner (-1 when the calculator has
/// none), for the candidates a donor expects to give (those before its excess is covered, in its order) that
/// are tied to another rank (a neighbour or an access there). The others keep -1 and go where the protocol's
/// pairing puts them: with no tie elsewhere their affinity is headroom alone, which the pairing already
/// follows. Scoring only those keeps the calculator's cost at ~0.3 us x candidates instead of every object
/// (docs/rebalance.md, "Complexity").
void set_preferred_targets(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                           const AffinityCalculator& calculator, const std::vector<double>& excess,
                           DonorOffers& offers);

}  // namespace penumbra::balance
