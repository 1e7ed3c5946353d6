// The strategies replay can use: whatever balance::make_strategy knows in this build.
#include "penumbra/balance.hpp"

namespace penumbra::prof {

std::unique_ptr<balance::Strategy> strategy_named(const std::string& name) { return balance::make_strategy(name); }

}  // namespace penumbra::prof
