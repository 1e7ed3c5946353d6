#include "rebalance/epoch_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "penumbra/errors.hpp"

namespace penumbra::rebalance {

balance::EpochInput assemble_epoch_input(std::span<const RankRow> ranks, std::span<const ObjectRow> objects,
                                         std::span<const AccessRow> accesses, std::span<const EdgeRow> edges,
                                         const EpochParameters& parameters) {
  balance::EpochInput input;
  input.epoch = parameters.epoch;
  input.steps_until_next_epoch = parameters.steps_until_next_epoch;
  input.bandwidth_bytes_per_s = parameters.bandwidth_bytes_per_s;
  input.threshold = parameters.threshold;
  input.plan_target = parameters.plan_target;
  input.ranks.reserve(ranks.size());
  for (const RankRow& row : ranks)
    input.ranks.push_back({.node = row.node,
                           .measured_load = row.measured_load,
                           .predicted_load = row.predicted_load,
                           .uncertainty = row.uncertainty,
                           .capacity = 0.0,
                           .speed = row.speed});

  input.objects.reserve(objects.size());
  for (const ObjectRow& row : objects)
    input.objects.push_back({.id = row.id,
                             .owner = row.owner,
                             .size_bytes = row.size_bytes,
                             .measured_cost = row.measured_cost,
                             .predicted_cost = row.predicted_cost,
                             .next_cost = row.next_cost,
                             .accesses = {},
                             .edges = {}});
  std::sort(input.objects.begin(), input.objects.end(),
            [](const balance::ObjectState& a, const balance::ObjectState& b) { return a.id < b.id; });
  std::unordered_map<ObjectId, std::size_t> index;
  index.reserve(input.objects.size());
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    const balance::ObjectState& object = input.objects[i];
    if (auto [it, inserted] = index.emplace(object.id, i); !inserted)
      throw InvalidArgument(fmt::format("rebalance snapshot: object {} is contributed by ranks {} and {}",
                                        to_string(object.id), input.objects[it->second].owner, object.owner));
  }

  // Ordered maps: the per-object lists come out sorted by origin / neighbour, the same on every rank.
  std::map<std::pair<ObjectId, int>, RankAccesses> access_sums;
  for (const AccessRow& row : accesses) {
    if (!index.contains(row.id)) continue;
    RankAccesses& sum = access_sums[{row.id, row.origin}];
    sum.rank = row.origin;
    sum.accesses += row.accesses;
    sum.bytes += row.bytes;
  }
  for (const auto& [key, sum] : access_sums) input.objects[index.at(key.first)].accesses.push_back(sum);

  std::map<std::pair<ObjectId, ObjectId>, double> edge_sums;
  for (const EdgeRow& row : edges) {
    if (row.from == row.to || !index.contains(row.from) || !index.contains(row.to)) continue;
    edge_sums[{row.from, row.to}] += row.bytes_per_step;
    edge_sums[{row.to, row.from}] += row.bytes_per_step;
  }
  for (const auto& [key, bytes] : edge_sums)
    input.objects[index.at(key.first)].edges.push_back({.other = key.second, .bytes_per_step = bytes});
  return input;
}

}  // namespace penumbra::rebalance
