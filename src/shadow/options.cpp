// Validation of ShadowOptions: every bad value is a ConfigError naming its `shadow.*` key.
#include <cstdint>

#include "core/validate.hpp"
#include "penumbra/shadow.hpp"

namespace penumbra {

void ShadowOptions::validate() const {
  constexpr std::int64_t kMaxCount = std::int64_t{1} << 20;
  constexpr double kMaxUs = 1e12;  // ~11.6 days per window: beyond any sensible cost, and still finite
  check::integer_in_range("shadow.max_copies", max_copies, 1, kMaxCount);
  // 0 bytes only makes sense with shadows off.
  check::integer_in_range("shadow.budget_bytes", budget_bytes, enabled ? 1 : 0, std::int64_t{1} << 50);
  check::integer_in_range("shadow.resident_bytes", resident_bytes, 0, std::int64_t{1} << 50);
  check::in_range("shadow.min_value_us", min_value_us, 0.0, kMaxUs);
  check::in_range("shadow.hysteresis_us", hysteresis_us, 0.0, kMaxUs);
  check::in_range("shadow.dependency_weight", dependency_weight, 0.0, 1e6);
  check::in_range("shadow.memory_weight_us_per_mib", memory_weight_us_per_mib, 0.0, kMaxUs);
  check::in_range("shadow.trend_damping", trend_damping, 0.0, 1.0);
  check::in_range("shadow.headroom_weight", headroom_weight, 0.0, 100.0);
  check::integer_in_range("shadow.max_candidates", max_candidates, 1, kMaxCount);
  check::integer_in_range("shadow.max_versions_behind", max_versions_behind, 0, 1'000'000);
  check::in_range("shadow.max_age_us", max_age_us, 1.0, 3.6e9);
  check::integer_in_range("shadow.history_versions", history_versions, 1, 1024);
}

}  // namespace penumbra
