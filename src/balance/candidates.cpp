#include "balance/candidates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {
namespace {

// Edges are checked here, where they are read (snapshot.hpp, prepare()).
Neighbourhood neighbourhood(const LoadView& view, const ObjectIndex& index, const ObjectState& object) {
  Neighbourhood result;
  for (const Edge& edge : object.edges) {
    if (!(std::isfinite(edge.bytes_per_step) && edge.bytes_per_step >= 0.0))
      throw InvalidLoad(fmt::format("edge bytes_per_step of object {} = {} (expected a finite value >= 0)",
                                    to_string(object.id), check::number_text(edge.bytes_per_step)));
    const auto other = index.find(edge.other);
    if (!other) continue;                 // a neighbour outside the snapshot: no evidence either way
    const int rank = view.owner[*other];  // the compact copy: one cache line holds 16 owners
    if (rank == object.owner) {
      result.internal_bytes += edge.bytes_per_step;
      continue;
    }
    auto at = std::ranges::find_if(result.external, [rank](const auto& entry) { return entry.first == rank; });
    if (at == result.external.end())
      result.external.emplace_back(rank, edge.bytes_per_step);
    else
      at->second += edge.bytes_per_step;
  }
  return result;
}

}  // namespace

double move_gain(const EpochInput& input, double cost, std::uint32_t object, const Neighbourhood& neighbours, int to) {
  const double bandwidth = input.bandwidth_bytes_per_s;
  const double remote_bytes = neighbours.internal_bytes - neighbours.bytes_to(to);
  const double transfer_s = static_cast<double>(input.objects[object].size_bytes) / bandwidth;
  return cost - remote_bytes * input.steps_until_next_epoch / bandwidth - transfer_s;
}

DonorOffers select_candidates(const EpochInput& input, const ObjectIndex& index, const LoadView& view,
                              const std::vector<int>& donors, const std::vector<double>& excess, double largest_room) {
  // One pass over the objects collects the donors' own; the others are not looked at again.
  std::vector<int> slot(input.ranks.size(), -1);
  for (std::size_t k = 0; k < donors.size(); ++k) slot[donors[k]] = static_cast<int>(k);
  std::vector<std::vector<std::uint32_t>> owned(donors.size());
  for (std::size_t i = 0; i < view.owner.size(); ++i)
    if (const int k = slot[view.owner[i]]; k >= 0) owned[k].push_back(static_cast<std::uint32_t>(i));

  DonorOffers offers;
  offers.candidates.resize(donors.size());
  offers.neighbourhoods.resize(donors.size());
  for (std::size_t k = 0; k < donors.size(); ++k) {
    struct Scored {
      std::uint32_t object;
      double per_byte;
      Neighbourhood neighbours;
    };
    std::vector<Scored> scored;
    const double speed = view.speed[donors[k]];
    for (std::uint32_t object : owned[k]) {
      // No receiver could accept it (1e-12: the protocol's slack on a fit).
      if (view.cost[object] * speed > largest_room + 1e-12) continue;
      Neighbourhood neighbours = neighbourhood(view, index, input.objects[object]);
      // Best case: the neighbour rank that most of its remote traffic goes to (or any rank, none).
      int best = -1;
      double best_bytes = 0.0;
      for (const auto& [rank, bytes] : neighbours.external)
        if (bytes > best_bytes || (bytes == best_bytes && rank < best)) best = rank, best_bytes = bytes;
      const double gain = move_gain(input, view.cost[object], object, neighbours, best);
      if (!(gain > 0.0)) continue;
      const double bytes = std::max<double>(1.0, static_cast<double>(input.objects[object].size_bytes));
      scored.push_back({object, gain / bytes, std::move(neighbours)});
    }
    std::ranges::sort(scored, [&](const Scored& a, const Scored& b) {
      return a.per_byte != b.per_byte ? a.per_byte > b.per_byte
                                      : input.objects[a.object].id < input.objects[b.object].id;
    });
    double offered = 0.0;
    for (Scored& s : scored) {
      if (offered >= 2.0 * excess[k]) break;
      offered += view.cost[s.object];
      offers.candidates[k].push_back(Candidate{s.object, view.cost[s.object], -1});
      offers.neighbourhoods[k].push_back(std::move(s.neighbours));
    }
  }
  return offers;
}

}  // namespace penumbra::balance
