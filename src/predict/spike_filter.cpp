#include "penumbra/spike_filter.hpp"

#include <algorithm>
#include <cmath>

namespace penumbra {
namespace {

// Median of values[0..n), n odd or even (the lower middle: a value of the window, never an average of two).
double median_of(std::array<double, kSpikeWindow> values, std::size_t n) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>((n - 1) / 2);
  std::nth_element(values.begin(), middle, values.begin() + static_cast<std::ptrdiff_t>(n));
  return *middle;
}

// 1 / Phi^-1(3/4): MAD x this estimates the standard deviation of normal data.
constexpr double kMadToSigma = 1.4826;

}  // namespace

double SpikeFilter::filter(double value) noexcept {
  // The raw value enters the window: a lasting rise must move the median, whatever was returned for it.
  window_[next_] = value;
  next_ = (next_ + 1) % kSpikeWindow;
  count_ = std::min(count_ + 1, kSpikeWindow);
  if (sigmas_ <= 0.0 || count_ < kSpikeMinValues) return value;
  const double median = median_of(window_, count_);
  std::array<double, kSpikeWindow> deviations{};
  for (std::size_t k = 0; k < count_; ++k) deviations[k] = std::abs(window_[k] - median);
  const double deviation = std::max(kMadToSigma * median_of(deviations, count_), kSpikeMinRelativeDeviation * median);
  return std::min(value, median + sigmas_ * deviation);
}

}  // namespace penumbra
