// How many requests a doorbell says are waiting (src/transport/doorbell.hpp), on hand-picked counters.
#include <gtest/gtest.h>

#include <cstdint>

#include "transport/doorbell.hpp"

namespace penumbra::transport {
namespace {

TEST(DoorbellCount, RingsAheadOfTakenRequestsAreWaiting) {
  EXPECT_EQ(unanswered_rings(0, 0), 0u);
  EXPECT_EQ(unanswered_rings(3, 1), 2u);
}

TEST(DoorbellCount, ARingLandingAfterItsRequestWasTakenIsNotWaiting) {
  EXPECT_EQ(unanswered_rings(4, 5), 0u);  // the fifth request was probed for before its ring landed
}

TEST(DoorbellCount, CountersThatWrappedStillCompareByDifference) {
  constexpr std::uint32_t kLast = 0xFFFFFFFFu;
  EXPECT_EQ(unanswered_rings(1, kLast), 2u);  // rings wrapped past 2^32 - 1 to 0, then 1
  EXPECT_EQ(unanswered_rings(kLast, 1), 0u);  // taken wrapped, rings not yet: behind, not 2^32 - 2 ahead
}

}  // namespace
}  // namespace penumbra::transport
