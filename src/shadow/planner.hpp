#pragma once
// Builds the shadow Planner the runtime uses from the configuration and the topology.
#include "penumbra/config.hpp"
#include "penumbra/topology.hpp"
#include "shadow/shadow_manager.hpp"

namespace penumbra::shadow {

/// The configured shadow policy as a Planner for ShadowManager::run_epoch; `self` is this rank.
Planner make_planner(const Config& config, const Topology& topology, int self);

}  // namespace penumbra::shadow
