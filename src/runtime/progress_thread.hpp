#pragma once
// The progress thread (config `progress_thread`, docs/design.md "Progress thread"): while the application's
// thread computes outside Penumbra, a background thread of the same rank serves the requests other ranks sent
// it and pushes versions the staleness bound makes due, so neither waits for the application's next call.
//
// One rule keeps it correct without locking every structure: the runtime's state is touched either by the
// application's thread inside a Penumbra call, or by the progress thread while the application is in none.
// ApplicationGate is that rule (one mutex, held by the application for the whole of each call, outermost
// entry only; try-locked by the progress thread). A ReadHandle's inline hit path takes no gate: it touches
// only a shadow slot (written by remote puts alone), counters nobody else writes, and the runtime's read
// generation, which is atomic for this reason.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace penumbra::runtime {

class ApplicationGate {
 public:
  explicit ApplicationGate(bool enabled) noexcept : enabled_(enabled) {}
  ApplicationGate(const ApplicationGate&) = delete;
  ApplicationGate& operator=(const ApplicationGate&) = delete;

  bool enabled() const noexcept { return enabled_; }

  // ---- the application's thread ----
  /// Entering a Penumbra call; nested calls (a call made by another) only count.
  void enter() {
    if (enabled_ && depth_++ == 0) mutex_.lock();
  }
  void leave() noexcept {
    if (enabled_ && --depth_ == 0) mutex_.unlock();
  }
  /// Around user code that a call runs (a task's body): the progress thread may serve meanwhile. Returns what
  /// resume() restores; the user code's own Penumbra calls enter again.
  int suspend() noexcept {
    if (!enabled_ || depth_ == 0) return 0;
    const int saved = depth_;
    depth_ = 0;
    mutex_.unlock();
    return saved;
  }
  void resume(int saved) {
    if (saved == 0) return;
    mutex_.lock();
    depth_ = saved;
  }

  // ---- the progress thread ----
  /// True when the application is in no Penumbra call: the caller may touch the runtime until leave_progress().
  bool try_enter_progress() { return mutex_.try_lock(); }
  void leave_progress() noexcept { mutex_.unlock(); }

 private:
  bool enabled_;
  std::mutex mutex_;
  int depth_ = 0;  // the application's thread only
};

/// RAII: one Penumbra call of the application's thread.
class [[nodiscard]] GateEntry {
 public:
  explicit GateEntry(ApplicationGate& gate) : gate_(gate) { gate_.enter(); }
  ~GateEntry() { gate_.leave(); }
  GateEntry(const GateEntry&) = delete;
  GateEntry& operator=(const GateEntry&) = delete;

 private:
  ApplicationGate& gate_;
};

/// RAII: user code run inside a call (ApplicationGate::suspend).
class [[nodiscard]] GateSuspension {
 public:
  explicit GateSuspension(ApplicationGate& gate) : gate_(gate), saved_(gate.suspend()) {}
  ~GateSuspension() { gate_.resume(saved_); }
  GateSuspension(const GateSuspension&) = delete;
  GateSuspension& operator=(const GateSuspension&) = delete;

 private:
  ApplicationGate& gate_;
  int saved_;
};

/// How long the progress thread sleeps before its next look (pure). A round that found work comes back at the
/// floor, since a request or a push tends to be followed by more; an idle one doubles the sleep up to the
/// ceiling, so an idle rank wakes at most 1/ceiling times per second ("backs off rather than spins": 2 cores
/// are shared by 4-8 ranks in our tests, DESIGN.md).
std::chrono::microseconds next_progress_sleep(std::chrono::microseconds current, bool found_work,
                                              std::chrono::microseconds floor, std::chrono::microseconds ceiling);

class ProgressThread {
 public:
  /// The shortest sleep: below it the wake-ups themselves (timer slack, a context switch) dominate.
  static constexpr std::chrono::microseconds kFloor{50};

  /// Starts the thread. `round` runs with the gate held and says whether it did anything (served, pushed).
  ProgressThread(ApplicationGate& gate, std::chrono::microseconds ceiling, std::function<bool()> round);
  /// Stops and joins the thread.
  ~ProgressThread();
  ProgressThread(const ProgressThread&) = delete;
  ProgressThread& operator=(const ProgressThread&) = delete;

  /// True on a progress thread (this runtime's or another's).
  static bool on_progress_thread() noexcept;
  /// An exception a round threw on the thread (it stopped then), or null. Read by the application's thread
  /// inside a call: the gate orders it after the write.
  std::exception_ptr failure() const noexcept { return failure_; }
  /// Rounds that found work; for tests and stats.
  std::uint64_t busy_rounds() const noexcept { return busy_rounds_.load(std::memory_order_relaxed); }

 private:
  void run(const std::stop_token& stop);

  ApplicationGate& gate_;
  const std::chrono::microseconds ceiling_;
  std::function<bool()> round_;
  std::exception_ptr failure_;
  std::atomic<std::uint64_t> busy_rounds_{0};
  std::mutex sleep_mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: it starts after everything it uses exists, and stops first
};

}  // namespace penumbra::runtime
