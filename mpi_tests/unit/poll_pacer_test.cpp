// The pacing of request probes inside object calls (src/transport/poll_pacer.hpp), on synthetic times.
#include <gtest/gtest.h>

#include "transport/poll_pacer.hpp"

namespace penumbra::transport {
namespace {

using namespace std::chrono_literals;
using Clock = PollPacer::Clock;

TEST(PollPacer, CheapProbesKeepTheFloor) {
  PollPacer pacer(20us, 0.1);
  const Clock::time_point start{};
  pacer.record(start, start + 1us, 0);  // 1 us / 0.1 = 10 us, under the floor
  EXPECT_EQ(pacer.interval(), 20us);
  EXPECT_FALSE(pacer.due(start + 1us + 19us));
  EXPECT_TRUE(pacer.due(start + 1us + 20us));
}

TEST(PollPacer, DearEmptyProbesStretchTheIntervalToTheirShare) {
  PollPacer pacer(20us, 0.1);
  Clock::time_point now{};
  pacer.record(now, now + 12us, 0);  // the first probe sets the average: 12 us x 10
  EXPECT_EQ(pacer.interval(), 120us);
  now += 200us;
  pacer.record(now, now + 2us, 0);  // average 0.8 x 12 + 0.2 x 2 = 10 us
  EXPECT_EQ(pacer.interval(), 100us);
  EXPECT_FALSE(pacer.due(now + 2us + 99us));
  EXPECT_TRUE(pacer.due(now + 2us + 100us));
}

TEST(PollPacer, AProbeThatFoundRequestsReturnsToTheFloor) {
  PollPacer pacer(20us, 0.1);
  Clock::time_point now{};
  pacer.record(now, now + 12us, 0);
  ASSERT_EQ(pacer.interval(), 120us);
  now += 200us;
  pacer.record(now, now + 50us, 3);  // serving took long, but requests are arriving: probe often
  EXPECT_EQ(pacer.interval(), 20us);
}

}  // namespace
}  // namespace penumbra::transport
