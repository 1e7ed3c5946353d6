#pragma once
// Helpers every benchmark shares: medians of timed repetitions, and names homed at a chosen rank.
#include <algorithm>
#include <array>
#include <chrono>
#include <penumbra/penumbra.hpp>
#include <string>
#include <utility>
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

/// Medians of bodies timed in turn (a, b, c, a, b, c, ...), in microseconds: all see the same conditions (the
/// same neighbours competing for the core), so their ratios are fair on an oversubscribed node.
template <class... Bodies>
std::array<double, sizeof...(Bodies)> interleaved_medians_us(int repetitions, Bodies&&... bodies) {
  std::array<std::vector<double>, sizeof...(Bodies)> samples;
  auto time = [](auto& body) {
    const auto start = Clock::now();
    body();
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  };
  for (int i = 0; i < repetitions; ++i) {
    std::size_t k = 0;
    ((samples[k++].push_back(time(bodies))), ...);
  }
  std::array<double, sizeof...(Bodies)> medians{};
  for (std::size_t k = 0; k < samples.size(); ++k) medians[k] = median(std::move(samples[k]));
  return medians;
}

/// As interleaved_medians_us for two bodies.
template <class BodyA, class BodyB>
std::pair<double, double> paired_median_us(int repetitions, BodyA&& a, BodyB&& b) {
  const auto [median_a, median_b] = interleaved_medians_us(repetitions, a, b);
  return {median_a, median_b};
}

/// A name whose home is `rank`, so a benchmark knows who owns what without moving anything.
inline std::string name_homed_at(const Runtime& rt, int rank, const std::string& prefix) {
  for (int k = 0;; ++k) {
    std::string name = prefix + std::to_string(k);
    if (rt.owner_of(name) == rank) return name;
  }
}

}  // namespace penumbra::bench
