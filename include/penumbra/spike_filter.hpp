#pragma once
/// @file spike_filter.hpp
/// Isolated upward spikes out of a measured cost series, before the forecasting models see it. Pure: one value
/// in, the value the models should see out.
///
/// Why: a timer can only be late. On a shared node a task whose rank was descheduled, or whose sleep woke a few
/// milliseconds late, measures its work plus that delay, and the delay has nothing to do with the object. Measured
/// here (penumbra-bench-rebalance, moving-hotspot, 4 and 8 ranks on 2 cores): the median task overran its declared
/// work by 0.14 ms, the 99th percentile by 2-4 ms and the worst by 7.5 ms, on tasks of 0.5-7.5 ms. One such step
/// in a 10-step epoch moves an object's mean by 20-70%, and the models (means, smoothing, trends) pass it on to
/// the forecast. Hampel's rule, one-sided: a value more than `sigmas` robust deviations above the median of the
/// last kSpikeWindow values (itself included) is clipped to that bound. A real rise lasts: once it fills half the
/// window the median has moved and it passes unclipped (a step change is damped for kSpikeWindow / 2 steps), and a
/// steady climb widens the deviation with it. Drops pass as they are: a timer cannot read early, and an object
/// that did nothing this step (0) did nothing.
#include <array>
#include <cstddef>

namespace penumbra {

/// Values the median and the deviation are taken over, the new one included. Odd, so the median is a value.
inline constexpr std::size_t kSpikeWindow = 5;
/// Values needed before anything is clipped: a median of fewer says little.
inline constexpr std::size_t kSpikeMinValues = 3;
/// The deviation is at least this fraction of the median: on a series that barely varies (MAD ~ 0) ordinary
/// noise must not count as spikes. With sigmas = 4 a value is kept up to 20% over the median at least.
inline constexpr double kSpikeMinRelativeDeviation = 0.05;

class SpikeFilter {
 public:
  /// `sigmas` > 0: robust standard deviations (1.4826 x MAD) above the median a value may reach. 0: off (every
  /// value passes). The caller validates it (predictor.spike_sigmas).
  explicit SpikeFilter(double sigmas = 0.0) noexcept : sigmas_(sigmas) {}

  /// Records `value` (finite, >= 0) and returns it, or the bound it was clipped to.
  double filter(double value) noexcept;

  /// Forgets the values seen (a series that starts again).
  void reset() noexcept {
    count_ = 0;
    next_ = 0;
  }

 private:
  double sigmas_;
  std::array<double, kSpikeWindow> window_{};  // a ring of the last raw values
  std::size_t count_ = 0;                      // values seen, saturating at kSpikeWindow
  std::size_t next_ = 0;                       // where the next value goes
};

}  // namespace penumbra
