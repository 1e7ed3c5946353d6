#pragma once
// Which strategy object `penumbra-prof replay --strategy S` runs, and with which options.
#include <memory>
#include <string>

#include "penumbra/balance.hpp"
#include "penumbra/trace.hpp"

namespace penumbra::prof {

struct ReplayStrategy {
  std::unique_ptr<balance::Strategy> strategy;
  std::string options_source;  ///< where its options came from, for the report
};

/// make_strategy(name) with the run's recorded options where they load, else the defaults.
/// InvalidArgument for an unknown name (listing the known ones).
ReplayStrategy strategy_for_replay(const std::string& name, const trace::RunHeader& header);

}  // namespace penumbra::prof
