// Declared reads (shadow.declared_reads): which ranks a dependency graph says will read an owner's objects,
// and how often. Expected values worked out by hand from the rule in declared_reads.hpp.
#include "shadow/declared_reads.hpp"

#include <gtest/gtest.h>

#include <map>

namespace penumbra::shadow {
namespace {

const ObjectId kA{1}, kB{2}, kC{3}, kD{4}, kLost{99};

TEST(DeclaredReads, NeighboursOnOtherRanksReadTheirShareOfTheExchange) {
  // a (rank 0) exchanges 200 B/step with b (rank 1) and 50 B/step with c (rank 0); b also with d (rank 2).
  DeclaredGraph graph;
  graph[kA] = {{kB, 200.0}, {kC, 50.0}};
  graph[kB] = {{kA, 200.0}, {kD, 400.0}};
  graph[kC] = {{kA, 50.0}};
  graph[kD] = {{kB, 400.0}};
  const std::map<ObjectId, int> owners = {{kA, 0}, {kB, 1}, {kC, 0}, {kD, 2}};
  const auto owner_of = [&](ObjectId id) { return owners.at(id); };
  const OwnedSize of_rank0[] = {{kA, 100}, {kC, 100}};
  const auto reads = declared_remote_reads(graph, of_rank0, owner_of, 0, 3);
  ASSERT_EQ(reads.size(), 1u) << "c's only neighbour is on its own rank";
  // 200 B/step both ways: 100 B of a each step, one read of its 100 bytes.
  EXPECT_EQ(reads.at(kA), (std::vector<double>{0.0, 1.0, 0.0}));
  const OwnedSize of_rank1[] = {{kB, 50}};
  // b: a's rank reads 200 / (2 x 50) = 2 per step, d's rank 400 / 100 = 4.
  EXPECT_EQ(declared_remote_reads(graph, of_rank1, owner_of, 1, 3).at(kB), (std::vector<double>{2.0, 0.0, 4.0}));
}

TEST(DeclaredReads, UnknownSizesCountOneReadAndUnknownOwnersNone) {
  DeclaredGraph graph;
  graph[kA] = {{kB, 64.0}, {kLost, 64.0}, {kC, 0.0}};
  const auto owner_of = [](ObjectId id) { return id == kB ? 1 : id == kC ? 1 : -1; };
  const OwnedSize owned[] = {{kA, 0}, {kD, 10}};
  const auto reads = declared_remote_reads(graph, owned, owner_of, 0, 2);
  ASSERT_EQ(reads.size(), 1u) << "d has no declared neighbour";
  EXPECT_EQ(reads.at(kA), (std::vector<double>{0.0, 1.0})) << "one read for b; none for an unowned or 0-byte edge";
}

TEST(DeclaredReads, TheGraphOfASnapshotIsEveryObjectsEdges) {
  balance::EpochInput input;
  for (const ObjectId id : {kA, kB, kC}) {
    balance::ObjectState object;
    object.id = id;
    if (id != kC) object.edges = {{id == kA ? kB : kA, 8.0}};
    input.objects.push_back(object);
  }
  const DeclaredGraph graph = declared_graph(input);
  EXPECT_EQ(graph.size(), 2u);
  EXPECT_EQ(graph.at(kA).at(0).other, kB);
  EXPECT_EQ(graph.at(kB).at(0).bytes_per_step, 8.0);
}

}  // namespace
}  // namespace penumbra::shadow
