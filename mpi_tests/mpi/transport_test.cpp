// The transport's doorbell across ranks: a ring lands while its target makes no MPI call, and a request's ring
// tells its target, without a probe, that a request waits and how many. Every test runs at 1, 2, 4 and 8 ranks;
// those that need a second rank skip at 1.
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cstdint>

#include "mpi/communicator.hpp"
#include "transport/doorbell.hpp"
#include "transport/messenger.hpp"
#include "world.hpp"

namespace penumbra::transport {
namespace {

using penumbra::testing_support::world_rank;
using penumbra::testing_support::world_size;

// Generous: a ring lands in microseconds; this only turns "never" into a failure instead of a hang.
constexpr auto kLandingDeadline = std::chrono::seconds(60);

// Spins on the local counter with no MPI call until it reaches `expected` or the deadline passes.
std::uint32_t rings_without_mpi(const Doorbell& doorbell, std::uint32_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + kLandingDeadline;
  std::uint32_t seen = doorbell.rings();
  while (seen != expected && std::chrono::steady_clock::now() < deadline) seen = doorbell.rings();
  return seen;
}

TEST(Doorbell, RingsLandWhileTheTargetMakesNoMpiCall) {
  if (world_size() < 2) GTEST_SKIP() << "needs a second rank";
  const mpi::Communicator comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  Doorbell doorbell(comm);
  const int rank = world_rank(), size = world_size();
  // Rank r rings its right neighbour r + 1 times, so each rank expects as many rings as its left neighbour's
  // number plus one: a ring counted twice, lost or sent to the wrong rank shows.
  const int right = (rank + 1) % size, left = (rank + size - 1) % size;
  for (int ring = 0; ring <= rank; ++ring) doorbell.ring(right);
  EXPECT_EQ(rings_without_mpi(doorbell, static_cast<std::uint32_t>(left + 1)), static_cast<std::uint32_t>(left + 1));
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(Doorbell, EveryRankCanRingTheSameTarget) {
  if (world_size() < 2) GTEST_SKIP() << "needs a second rank";
  const mpi::Communicator comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  Doorbell doorbell(comm);
  constexpr int kRingsEach = 100;  // concurrent increments of one word: none may be lost
  if (world_rank() != 0)
    for (int ring = 0; ring < kRingsEach; ++ring) doorbell.ring(0);
  if (world_rank() == 0) {
    const auto expected = static_cast<std::uint32_t>(kRingsEach * (world_size() - 1));
    EXPECT_EQ(rings_without_mpi(doorbell, expected), expected);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

// A handler that answers every request with the version `source + 1`, so a reply tells whose request it was.
Reply answer_with_source(int source, Request) {
  Reply reply;
  reply.version = static_cast<Version>(source + 1);
  return reply;
}

TEST(Messenger, ARequestRingsSoItsTargetServesItWithoutProbingForOthers) {
  if (world_size() < 2) GTEST_SKIP() << "needs a second rank";
  Messenger messenger(mpi::Communicator::duplicate(MPI_COMM_WORLD), answer_with_source);
  if (world_rank() == 1) {
    const Reply reply = messenger.call(0, Request{});
    EXPECT_EQ(reply.version, 2u);  // rank 1's request, answered by rank 0's handler
  } else if (world_rank() == 0) {
    // Rank 0 learns of the request from its own memory only, then serves exactly what rang.
    const auto deadline = std::chrono::steady_clock::now() + kLandingDeadline;
    while (messenger.requests_waiting() == 0 && std::chrono::steady_clock::now() < deadline) {
    }
    EXPECT_EQ(messenger.requests_waiting(), 1u);
    std::size_t served = 0;
    while (served == 0 && std::chrono::steady_clock::now() < deadline) served = messenger.serve_rung();
    EXPECT_EQ(served, 1u);
    EXPECT_EQ(messenger.requests_waiting(), 0u);
  }
  messenger.quiesce();
  EXPECT_EQ(messenger.requests_waiting(), 0u);
}

TEST(Messenger, WithTheDoorbellOffNoRequestIsSeenWaitingButAllAreServed) {
  Messenger messenger(mpi::Communicator::duplicate(MPI_COMM_WORLD), answer_with_source);
  messenger.use_doorbell(false);
  const int rank = world_rank(), size = world_size();
  if (size > 1) {
    const int target = (rank + 1) % size;
    EXPECT_EQ(messenger.call(target, Request{}).version, static_cast<Version>(rank + 1));
  }
  EXPECT_EQ(messenger.requests_waiting(), 0u);
  messenger.quiesce();
}

}  // namespace
}  // namespace penumbra::transport
