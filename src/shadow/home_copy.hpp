#pragma once
// Whether an owner should publish one of its objects in its own window (a home copy). Without one, a remote
// reader that has no nearer copy asks the owner's CPU (the two-sided service time, on top of the transfer);
// with one it reads the owner's slot one-sided. The owner pays a local copy and checksum at every write and
// the slot's memory. Same units and thresholds as a shadow's value (eligibility.hpp). Pure: no MPI.
#include "penumbra/shadow.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/eligibility.hpp"

namespace penumbra::shadow {

/// The terms of a home copy's value, us per window: read_saving = the sum over remote readers (every rank but
/// the owner) of predicted reads x (costs.owner_read_us - costs.read_us: a read answered by the owner's CPU
/// against a one-sided read of its window; `costs` must carry the owner's service time); propagation =
/// predicted writes x the owner's cost of writing a copy on itself (costs.propagation_us(owner, owner, size));
/// memory = the shadow memory rent. Does not validate `access` (call validate_access first).
ValueTerms home_copy_terms(const ObjectAccess& access, const CostTable& costs, const ShadowOptions& options);

/// A new home copy must be worth min_value_us; an existing one is kept while worth >= -hysteresis_us.
bool wants_home_copy(const ValueTerms& terms, bool published_now, const ShadowOptions& options);

}  // namespace penumbra::shadow
