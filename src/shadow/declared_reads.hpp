#pragma once
// Reads the application declared ahead of time. A dependency (Runtime::declare_dependency: two objects exchange
// bytes every step, a halo) between objects owned by two ranks means that each rank reads the other's object
// every step. A placement a migration has just changed has no measured reads yet: these are what the shadow
// policy knows of the reads to come (a floor under its forecast), and what an owner publishes home copies for
// as moves land, before the first of those reads waits for a busy owner. Pure: plain data in and out.
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "penumbra/balance.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::shadow {

/// Every object's declared neighbours, as a rebalance epoch's snapshot gathered them from all ranks.
using DeclaredGraph = std::unordered_map<ObjectId, std::vector<balance::Edge>>;

/// The graph of `input` (its edges are attached to both of their objects already).
DeclaredGraph declared_graph(const balance::EpochInput& input);

/// An object this rank owns and its size.
struct OwnedSize {
  ObjectId id;
  std::uint64_t size_bytes = 0;
};

/// Reads per step, by reading rank (`ranks` entries), that the declared dependencies make of each object of
/// `owned` whose neighbours live on other ranks (`owner_of`). An exchange of b bytes per step carries b / 2
/// each way, so a neighbour's rank reads an object of s bytes b / (2 s) times per step (once per step for a
/// halo of one value each way); an object of unknown size (0) counts one read per neighbour. Objects without a
/// neighbour elsewhere are left out, as are owner_of answers outside [0, ranks).
std::unordered_map<ObjectId, std::vector<double>> declared_remote_reads(const DeclaredGraph& graph,
                                                                         std::span<const OwnedSize> owned,
                                                                         const std::function<int(ObjectId)>& owner_of,
                                                                         int self, int ranks);

}  // namespace penumbra::shadow
