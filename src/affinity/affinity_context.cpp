#include "affinity/affinity_context.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::affinity {
namespace {

// The `what` of an error is formatted only when there is one: these checks run for every object and rank,
// and formatting names up front cost more than the scoring itself at 65,536 ranks (docs/rebalance.md).
template <class What>
void check_rank(What&& what, int rank, int ranks) {
  if (rank < 0 || rank >= ranks)
    throw InvalidArgument(fmt::format("{} = {} (expected a rank in [0, {}))", what(), rank, ranks));
}

void check_per_rank(std::string_view what, const std::vector<double>& values, int ranks, bool positive, bool required) {
  if (values.empty() && !required) return;
  check::same_size(what, values.size(), static_cast<std::size_t>(ranks));
  for (int p = 0; p < ranks; ++p) {
    const bool good = std::isfinite(values[p]) && (positive ? values[p] > 0.0 : values[p] >= 0.0);
    if (good) continue;
    const auto name = fmt::format("{}[{}]", what, p);
    if (positive)
      check::finite_positive(name, values[p]);
    else
      check::finite_non_negative(name, values[p]);
  }
}

void check_matrix(std::string_view what, const std::vector<std::vector<double>>& matrix, int ranks, bool bandwidth) {
  if (matrix.empty()) return;
  check::same_size(what, matrix.size(), static_cast<std::size_t>(ranks));
  for (int a = 0; a < ranks; ++a) {
    check::same_size(fmt::format("{}[{}]", what, a), matrix[a].size(), static_cast<std::size_t>(ranks));
    for (int b = 0; b < ranks; ++b) {
      const auto name = fmt::format("{}[{}][{}]", what, a, b);
      if (bandwidth && a != b)
        check::finite_positive(name, matrix[a][b]);
      else if (!bandwidth)
        check::finite_non_negative(name, matrix[a][b]);
    }
    if (!bandwidth && matrix[a][a] != 0.0)
      throw InvalidLoad(
          fmt::format("{}[{}][{}] = {} (expected 0: a rank is at distance 0 from itself)", what, a, a, matrix[a][a]));
  }
}

}  // namespace

Context::Context(const AffinityInput& in, const AffinityOptions& options) : input(in), ranks(in.rank_count) {
  if (ranks < 1) throw InvalidArgument(fmt::format("rank_count = {} (expected >= 1)", ranks));
  check_per_rank("predicted_load", in.predicted_load, ranks, false, true);
  check_per_rank("load_uncertainty", in.load_uncertainty, ranks, false, false);
  check_per_rank("capacity", in.capacity, ranks, true, false);
  check_per_rank("speed", in.speed, ranks, true, false);
  check_matrix("proximity_cost", in.proximity_cost, ranks, false);
  check_matrix("bandwidth", in.bandwidth, ranks, true);

  locations.reserve(in.objects.size() + in.placements.size());
  for (const AffinityObject& object : in.objects) {
    const auto name = [&object] { return to_string(object.id); };
    // The objects go in first, so an id already present is a duplicate (placements may repeat them below).
    if (!locations.try_emplace(object.id, Location{object.owner, nullptr}).second)
      throw InvalidArgument(fmt::format("object {} is listed twice in the affinity input", name()));
    check_rank([&] { return fmt::format("owner of object {}", name()); }, object.owner, ranks);
    if (!(std::isfinite(object.cost_seconds) && object.cost_seconds >= 0.0))
      check::finite_non_negative(fmt::format("cost_seconds of object {}", name()), object.cost_seconds);
    for (std::size_t a = 0; a < object.accesses.size(); ++a) {
      const int origin = object.accesses[a].rank;
      check_rank([&] { return fmt::format("access origin of object {}", name()); }, origin, ranks);
      for (std::size_t b = 0; b < a; ++b)  // a handful of origins per object: a scan beats a hash set
        if (object.accesses[b].rank == origin)
          throw InvalidArgument(fmt::format("object {} lists accesses from rank {} twice", name(), origin));
    }
  }
  for (const ObjectPlacement& placement : in.placements) {
    const auto name = [&placement] { return to_string(placement.id); };
    check_rank([&] { return fmt::format("owner of placed object {}", name()); }, placement.owner, ranks);
    for (int shadow : placement.shadows)
      check_rank([&] { return fmt::format("shadow of object {}", name()); }, shadow, ranks);
    locations[placement.id] = Location{placement.owner, &placement.shadows};
  }

  load = in.predicted_load;
  if (!in.load_uncertainty.empty())
    for (int p = 0; p < ranks; ++p) load[p] += options.uncertainty_weight * in.load_uncertainty[p];
  const double mean_load = std::accumulate(load.begin(), load.end(), 0.0) / ranks;
  if (in.capacity.empty()) {
    reference.assign(ranks, mean_load);
    scale = mean_load;
  } else {
    reference = in.capacity;
    scale = std::accumulate(reference.begin(), reference.end(), 0.0) / ranks;
  }
  speed = in.speed.empty() ? std::vector<double>(ranks, 1.0) : in.speed;
  if (!in.proximity_cost.empty()) {
    max_proximity_cost.resize(ranks);
    for (int a = 0; a < ranks; ++a)
      max_proximity_cost[a] = *std::max_element(in.proximity_cost[a].begin(), in.proximity_cost[a].end());
  }
  if (ranks > options.full_scan_ranks) {
    std::vector<int> order(ranks);
    std::iota(order.begin(), order.end(), 0);
    const auto count = std::min<std::size_t>(static_cast<std::size_t>(options.headroom_candidates), order.size());
    // Most room first: reference - load (with capacities, a big rank can have room at a higher load).
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                      [&](int a, int b) {
                        const double ra = reference[a] - load[a], rb = reference[b] - load[b];
                        return ra != rb ? ra > rb : a < b;
                      });
    least_loaded.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count));
  }
}

double Context::proximity_cost(int a, int b) const {
  return input.proximity_cost.empty() ? 0.0 : input.proximity_cost[a][b];
}

double Context::bandwidth(int a, int b, double fallback) const {
  return input.bandwidth.empty() ? fallback : input.bandwidth[a][b];
}

}  // namespace penumbra::affinity
