// Stand-in until branch `balance` (balance::make_strategy) is merged: replay reports that it cannot run.
// TODO(prof): delete with the merge of branch balance; CMake then compiles replay_strategy.cpp.
#include "penumbra/balance.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::prof {

std::unique_ptr<balance::Strategy> strategy_named(const std::string& name) {
  throw Error("replay --strategy " + name + ": this build has no balance strategies (balance::make_strategy)");
}

}  // namespace penumbra::prof
