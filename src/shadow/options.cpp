// Validation of ShadowOptions: every bad value is a ConfigError naming its `shadow.*` key.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "penumbra/errors.hpp"
#include "penumbra/shadow.hpp"

namespace penumbra {
namespace {

void check_integer(const char* key, std::int64_t value, std::int64_t min, std::int64_t max, const char* note = "") {
  if (value < min || value > max)
    throw ConfigError(key, std::to_string(value), fmt::format("an integer in [{}, {}]{}", min, max, note));
}

// Written so that NaN fails too (every comparison with NaN is false).
void check_real(const char* key, double value, double min, double max) {
  if (!(value >= min && value <= max))
    throw ConfigError(key, fmt::format("{}", value), fmt::format("a number in [{}, {}]", min, max));
}

}  // namespace

void ShadowOptions::validate() const {
  constexpr std::int64_t kMaxCount = std::int64_t{1} << 20;
  constexpr double kMaxUs = 1e12;  // ~11.6 days per window: beyond any sensible cost, and still finite
  check_integer("shadow.max_copies", max_copies, 1, kMaxCount, " (>= the rank count: every reader may hold a copy)");
  if (enabled)
    check_integer("shadow.budget_bytes", budget_bytes, 1, std::int64_t{1} << 50,
                  " (0 only with shadow.enabled = false)");
  else
    check_integer("shadow.budget_bytes", budget_bytes, 0, std::int64_t{1} << 50);
  check_real("shadow.min_value_us", min_value_us, 0.0, kMaxUs);
  check_real("shadow.hysteresis_us", hysteresis_us, 0.0, kMaxUs);
  check_real("shadow.dependency_weight", dependency_weight, 0.0, 1e6);
  check_real("shadow.memory_weight_us_per_mib", memory_weight_us_per_mib, 0.0, kMaxUs);
  check_real("shadow.trend_damping", trend_damping, 0.0, 1.0);
  check_real("shadow.headroom_weight", headroom_weight, 0.0, 100.0);
  check_integer("shadow.max_candidates", max_candidates, 1, kMaxCount);
  check_integer("shadow.max_versions_behind", max_versions_behind, 0, 1'000'000);
  check_real("shadow.max_age_us", max_age_us, 1.0, 3.6e9);
  check_integer("shadow.history_versions", history_versions, 1, 1024);
}

}  // namespace penumbra
