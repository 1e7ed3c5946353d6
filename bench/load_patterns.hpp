#pragma once
// Synthetic per-object load series, shared by the prediction benchmark (forecast error per pattern) and the
// rebalancing benchmark's MPI mode (the work each object does each step). Pure and seeded: every rank of an
// MPI run generates the same series. The patterns are documented in bench_predict.cpp's header.
#include <algorithm>
#include <cmath>
#include <penumbra/errors.hpp>
#include <random>
#include <string>
#include <vector>

namespace penumbra::bench {

struct Shape {
  int objects = 64;
  int ranks = 8;
  int epochs = 400;
};

constexpr double pi = 3.14159265358979323846;

// One object's noiseless load at every epoch, for one pattern.
using Series = std::vector<double>;

class Signal {
 public:
  Signal(const std::string& pattern, const Shape& shape, std::mt19937_64& rng) : pattern_(pattern), shape_(shape) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    hotspot_start_ = uniform(rng) * shape.objects;
    phase0_ = uniform(rng) * 2.0 * pi;
    // Phase boundaries shared by all objects: the application changes phase, not one object.
    for (int t = 0; t < shape.epochs;) {
      phase_starts_.push_back(t);
      t += 30 + static_cast<int>(uniform(rng) * 41.0);
    }
  }

  Series object(int index, std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    const double base = 0.5e-3 + 1e-3 * uniform(rng);
    Series values(static_cast<std::size_t>(shape_.epochs));
    if (pattern_ == "trend") {
      const double slope = -0.002 + 0.010 * uniform(rng);
      for (int t = 0; t < shape_.epochs; ++t) values[t] = base * (1.0 + slope * t);
    } else if (pattern_ == "periodic") {
      const double amplitude = 0.3 + 0.3 * uniform(rng);
      const double phase = phase0_ + 0.3 * normal(rng);
      for (int t = 0; t < shape_.epochs; ++t)
        values[t] = base * (1.0 + amplitude * std::sin(2.0 * pi * t / 16.0 + phase));
    } else if (pattern_ == "moving-hotspot") {
      const double n = shape_.objects;
      for (int t = 0; t < shape_.epochs; ++t) {
        const double centre = std::fmod(hotspot_start_ + 0.4 * t, n);
        double d = std::abs(index - centre);
        d = std::min(d, n - d);
        values[t] = base * (1.0 + 4.0 * std::exp(-d * d / (2.0 * 3.0 * 3.0)));
      }
    } else if (pattern_ == "random-walk") {
      double level = base;
      for (int t = 0; t < shape_.epochs; ++t) {
        values[t] = level;
        level *= std::exp(0.05 * normal(rng));
      }
    } else if (pattern_ == "noise") {
      std::fill(values.begin(), values.end(), base);
    } else if (pattern_ == "phase-change") {
      double level = 0.0;
      for (int t = 0; t < shape_.epochs; ++t) {
        if (std::ranges::find(phase_starts_, t) != phase_starts_.end()) level = base * std::exp(0.5 * normal(rng));
        values[t] = level;
      }
    } else if (pattern_ == "lb-random") {
      // Charm++'s lb_test "random" load: each object a fixed cost drawn from U[10, 2000] us, for ever. The
      // anchor figures in ENVIRONMENT.md (200 objects on 4 PEs) were measured on it.
      std::fill(values.begin(), values.end(), 10e-6 + 1990e-6 * uniform(rng));
      return values;  // constant, as in lb_test: no measurement noise
    } else if (pattern_ == "lb-rising") {
      // lb_test's second case, load rising with the rank: object i costs 10 + 1990 x (i + 1/2) / n us, so the
      // contiguous blocks of the start give the last rank the most work.
      std::fill(values.begin(), values.end(), 10e-6 + 1990e-6 * (index + 0.5) / shape_.objects);
      return values;
    } else {
      throw penumbra::InvalidArgument("unknown pattern " + pattern_);
    }
    for (double& v : values) v = std::max(0.0, v * (1.0 + 0.1 * normal(rng)));  // measurement noise
    return values;
  }

 private:
  std::string pattern_;
  Shape shape_;
  double hotspot_start_ = 0.0, phase0_ = 0.0;
  std::vector<int> phase_starts_;
};

}  // namespace penumbra::bench
