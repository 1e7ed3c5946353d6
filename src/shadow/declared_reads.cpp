#include "shadow/declared_reads.hpp"

namespace penumbra::shadow {

DeclaredGraph declared_graph(const balance::EpochInput& input) {
  DeclaredGraph graph;
  for (const balance::ObjectState& object : input.objects)
    if (!object.edges.empty()) graph[object.id] = object.edges;
  return graph;
}

std::unordered_map<ObjectId, std::vector<double>> declared_remote_reads(const DeclaredGraph& graph,
                                                                         std::span<const OwnedSize> owned,
                                                                         const std::function<int(ObjectId)>& owner_of,
                                                                         int self, int ranks) {
  std::unordered_map<ObjectId, std::vector<double>> reads;
  for (const OwnedSize& object : owned) {
    const auto neighbours = graph.find(object.id);
    if (neighbours == graph.end()) continue;
    for (const balance::Edge& edge : neighbours->second) {
      const int reader = owner_of(edge.other);
      if (reader == self || reader < 0 || reader >= ranks || !(edge.bytes_per_step > 0.0)) continue;
      const double per_step =
          object.size_bytes > 0 ? edge.bytes_per_step / (2.0 * static_cast<double>(object.size_bytes)) : 1.0;
      std::vector<double>& by_rank = reads[object.id];
      by_rank.resize(static_cast<std::size_t>(ranks), 0.0);
      by_rank[static_cast<std::size_t>(reader)] += per_step;
    }
  }
  return reads;
}

}  // namespace penumbra::shadow
