#include "runtime/progress_thread.hpp"

#include <algorithm>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace penumbra::runtime {
namespace {
thread_local bool is_progress_thread = false;
}  // namespace

bool ProgressThread::on_progress_thread() noexcept { return is_progress_thread; }

std::chrono::microseconds next_progress_sleep(std::chrono::microseconds current, bool found_work,
                                              std::chrono::microseconds floor, std::chrono::microseconds ceiling) {
  if (found_work) return floor;
  return std::clamp(current * 2, floor, ceiling);
}

ProgressThread::ProgressThread(ApplicationGate& gate, std::chrono::microseconds ceiling, std::function<bool()> round)
    : gate_(gate), ceiling_(std::max(ceiling, kFloor)), round_(std::move(round)) {
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

ProgressThread::~ProgressThread() {
  thread_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressThread::run(const std::stop_token& stop) {
  is_progress_thread = true;
#if defined(__linux__)
  // Linux lets a sleep overrun by the thread's timer slack, 50 us by default: a 50 us sleep took ~100 us, and
  // a requester waits for the wake-up. 1 us for this thread only (a timer of its own, not the process's).
  prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
#endif
  std::chrono::microseconds sleep = kFloor;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(sleep_mutex_);
      // Woken early only to stop: requests cannot wake a thread (a doorbell ring is a one-sided increment).
      if (wake_.wait_for(lock, stop, sleep, [] { return false; })) break;
    }
    if (stop.stop_requested()) break;
    if (!gate_.try_enter_progress()) {
      // The application is inside a call and serves by itself: an idle round for the back-off, so that an
      // application that is always inside (a loop of reads) costs ~1,000 wake-ups a second, not 20,000.
      sleep = next_progress_sleep(sleep, false, kFloor, ceiling_);
      continue;
    }
    bool found_work = false;
    try {
      found_work = round_();
      if (found_work) busy_rounds_.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
      // An exception must not end the process from a background thread: the application's next call rethrows.
      failure_ = std::current_exception();
      gate_.leave_progress();
      return;
    }
    gate_.leave_progress();
    sleep = next_progress_sleep(sleep, found_work, kFloor, ceiling_);
  }
}

}  // namespace penumbra::runtime
