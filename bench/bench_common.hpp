#pragma once
// Helpers every benchmark shares: medians of timed repetitions, and names homed at a chosen rank.
#include <algorithm>
#include <chrono>
#include <penumbra/penumbra.hpp>
#include <string>
#include <vector>

namespace penumbra::bench {

using Clock = std::chrono::steady_clock;

inline double median(std::vector<double> samples) {
  std::ranges::sort(samples);
  return samples[samples.size() / 2];
}

/// Median over `repetitions` runs of `body`, in microseconds. Timing each run separately keeps one slow
/// outlier (a descheduled rank on an oversubscribed node) out of the figure.
template <class Body>
double median_us(int repetitions, Body&& body) {
  std::vector<double> samples;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    body();
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return median(std::move(samples));
}

/// A name whose home is `rank`, so a benchmark knows who owns what without moving anything.
inline std::string name_homed_at(const Runtime& rt, int rank, const std::string& prefix) {
  for (int k = 0;; ++k) {
    std::string name = prefix + std::to_string(k);
    if (rt.owner_of(name) == rank) return name;
  }
}

}  // namespace penumbra::bench
