// The progress thread's pieces without MPI (src/runtime/progress_thread.hpp): its back-off, the gate that keeps
// it out while the application is inside a call, and the thread's rounds.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "runtime/progress_thread.hpp"

namespace penumbra::runtime {
namespace {

using namespace std::chrono_literals;

TEST(NextProgressSleep, WorkBringsTheFloorBackAndIdleRoundsDoubleUpToTheCeiling) {
  EXPECT_EQ(next_progress_sleep(800us, true, 50us, 1000us), 50us);
  EXPECT_EQ(next_progress_sleep(50us, false, 50us, 1000us), 100us);
  EXPECT_EQ(next_progress_sleep(400us, false, 50us, 1000us), 800us);
  EXPECT_EQ(next_progress_sleep(800us, false, 50us, 1000us), 1000us);
  EXPECT_EQ(next_progress_sleep(1000us, false, 50us, 1000us), 1000us);
}

// Whether another thread could take the gate now (what the progress thread tries before each round).
bool progress_could_enter(ApplicationGate& gate) {
  bool entered = false;
  std::thread other([&] {
    entered = gate.try_enter_progress();
    if (entered) gate.leave_progress();
  });
  other.join();
  return entered;
}

TEST(ApplicationGate, KeepsTheProgressThreadOutForTheWholeOfANestedCall) {
  ApplicationGate gate(true);
  EXPECT_TRUE(progress_could_enter(gate));
  {
    const GateEntry outer(gate);
    EXPECT_FALSE(progress_could_enter(gate));
    {
      const GateEntry inner(gate);  // a call made by another call: no second lock
      EXPECT_FALSE(progress_could_enter(gate));
    }
    EXPECT_FALSE(progress_could_enter(gate)) << "the inner call's end must not open the gate";
  }
  EXPECT_TRUE(progress_could_enter(gate));
}

TEST(ApplicationGate, UserCodeInsideACallLetsTheProgressThreadIn) {
  ApplicationGate gate(true);
  const GateEntry outer(gate);
  {
    const GateEntry inner(gate);
    {
      const GateSuspension task_body(gate);
      EXPECT_TRUE(progress_could_enter(gate));
      {
        const GateEntry call_from_the_task(gate);  // the task's own Penumbra call closes it again
        EXPECT_FALSE(progress_could_enter(gate));
      }
      EXPECT_TRUE(progress_could_enter(gate));
    }
    EXPECT_FALSE(progress_could_enter(gate)) << "resumed at the depth it had";
  }
  EXPECT_FALSE(progress_could_enter(gate));
}

TEST(ApplicationGate, DisabledItNeverLocks) {
  ApplicationGate gate(false);
  const GateEntry entry(gate);
  const GateSuspension suspension(gate);
  EXPECT_TRUE(progress_could_enter(gate));
}

TEST(ProgressThread, RunsRoundsOnlyWhileTheApplicationIsOutside) {
  ApplicationGate gate(true);
  std::atomic<int> rounds{0};
  std::atomic<bool> application_inside{true};
  std::atomic<bool> round_while_inside{false};
  auto entry = std::make_unique<GateEntry>(gate);
  ProgressThread thread(gate, 100us, [&] {
    if (application_inside) round_while_inside = true;
    ++rounds;
    return true;  // "found work": the thread keeps coming back at the floor
  });
  // A window of many of the thread's wake-ups (50 us each) in which it must not run a round.
  const auto until = std::chrono::steady_clock::now() + 20ms;
  while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
  EXPECT_EQ(rounds.load(), 0) << "a round ran while the application was inside a call";
  application_inside = false;
  entry.reset();
  // The gate is open: rounds run. The thread counts a busy round after it returns, so the fourth round's start
  // is what shows the third counted (ctest -j2 once caught the count one behind when this waited for three).
  while (rounds < 4) std::this_thread::yield();
  EXPECT_FALSE(round_while_inside);
  EXPECT_GE(thread.busy_rounds(), 3u);
}

TEST(ProgressThread, AFailedRoundStopsTheThreadAndIsReported) {
  ApplicationGate gate(true);
  std::atomic<bool> thrown{false};
  ProgressThread thread(gate, 100us, [&]() -> bool {
    thrown = true;
    throw std::runtime_error("round failed");
  });
  while (!thrown) std::this_thread::yield();
  // The failure is published under the gate: take it as the application does.
  const GateEntry entry(gate);
  ASSERT_TRUE(thread.failure() != nullptr);
  EXPECT_THROW(std::rethrow_exception(thread.failure()), std::runtime_error);
}

}  // namespace
}  // namespace penumbra::runtime
