#pragma once
// How often an object call probes for other ranks' requests. A rank inside Penumbra must serve requests
// (two-sided reads, writes, metadata updates) or the ranks waiting for it stall; but the probe is an MPI call
// that yields the core when ranks are oversubscribed, and there it costs as much as a one-sided get
// (~10 us, ENVIRONMENT.md), so probing every 20 us made a nearest-copy read cost two gets.
// The pacer keeps the time spent in empty probes under a fixed share: the interval is the larger of a floor
// and (measured cost of an empty probe) / share. A probe that found work resets the interval to the floor,
// since requests are arriving. Pure: the caller measures and passes the times.
#include <algorithm>
#include <chrono>

namespace penumbra::transport {

class PollPacer {
 public:
  using Clock = std::chrono::steady_clock;
  /// At least every `floor` (20 us: a request waits at most that long on a dedicated core), and at most
  /// `max_share` of the time in empty probes.
  static constexpr std::chrono::nanoseconds kFloor = std::chrono::microseconds(20);
  /// No default share: the caller's (runtime.cpp, `probe_share`) depends on whether requests ring a doorbell.
  PollPacer(std::chrono::nanoseconds floor, double max_share)
      : floor_(floor), max_share_(max_share), interval_(floor) {}

  bool due(Clock::time_point now) const noexcept { return now - last_ >= interval_; }

  /// After a probe that started at `started`, ended at `ended` and served `served` requests.
  void record(Clock::time_point started, Clock::time_point ended, std::size_t served) noexcept {
    last_ = ended;
    if (served > 0) {
      interval_ = floor_;
      return;
    }
    // A moving average of empty probes' cost, so one descheduled probe does not stretch the interval for long.
    const double cost_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(ended - started).count());
    average_ns_ = average_ns_ == 0.0 ? cost_ns : 0.8 * average_ns_ + 0.2 * cost_ns;
    interval_ = std::max<std::chrono::nanoseconds>(floor_, std::chrono::nanoseconds(static_cast<std::int64_t>(average_ns_ / max_share_)));
  }

  std::chrono::nanoseconds interval() const noexcept { return interval_; }

 private:
  std::chrono::nanoseconds floor_;
  double max_share_;
  std::chrono::nanoseconds interval_;
  double average_ns_ = 0.0;
  Clock::time_point last_{};
};

}  // namespace penumbra::transport
