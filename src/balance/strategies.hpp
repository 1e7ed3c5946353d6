#pragma once
// The strategies make_strategy builds (one file each). Internal: users go through make_strategy by name.
#include <memory>

#include "penumbra/balance.hpp"

namespace penumbra::balance {

std::unique_ptr<Strategy> make_static_strategy();
std::unique_ptr<Strategy> make_greedy_strategy();
std::unique_ptr<Strategy> make_refine_strategy();
/// `oracle` plans on next_cost (the true next-epoch cost) with no forecast uncertainty; else on predictions.
std::unique_ptr<Strategy> make_predictive_strategy(const BalanceOptions& options, const AffinityOptions& affinity,
                                                   bool oracle);

#ifdef PENUMBRA_WITH_ZOLTAN
/// Zoltan's hypergraph repartitioning on MPI_COMM_SELF (needs MPI initialised when planning).
std::unique_ptr<Strategy> make_zoltan_strategy();
#endif

}  // namespace penumbra::balance
