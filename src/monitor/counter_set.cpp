#include "monitor/counter_set.hpp"

#include <papi.h>

#include <algorithm>
#include <optional>

namespace penumbra::monitor {
std::optional<CounterSet::Slot> CounterSet::slot_of(const std::string& name) {
  if (name == "PAPI_TOT_INS") return instructions;
  if (name == "PAPI_TOT_CYC") return cycles;
  if (name == "PAPI_L3_TCM" || name == "PAPI_L2_TCM") return cache_misses;
  return std::nullopt;
}

CounterSet::CounterSet(const std::vector<std::string>& events) : set_(PAPI_NULL) {
  if (events.empty()) return;
  if (!PAPI_is_initialized() && PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT) return;
  if (PAPI_create_eventset(&set_) != PAPI_OK) {
    set_ = PAPI_NULL;
    return;
  }
  for (const std::string& name : events) {
    const auto slot = slot_of(name);
    // One cache-miss counter: the probe lists L3 before L2, so L2 is only used where L3 is missing.
    if (!slot || std::ranges::find(slots_, *slot) != slots_.end()) continue;
    int code = 0;
    if (PAPI_event_name_to_code(name.c_str(), &code) != PAPI_OK) continue;
    if (PAPI_add_event(set_, code) != PAPI_OK) continue;  // e.g. PAPI_ECMP where the PMU is busy or absent
    names_.push_back(name);
    slots_.push_back(*slot);
  }
  if (!names_.empty() && PAPI_start(set_) == PAPI_OK) {
    started_ = true;
    return;
  }
  names_.clear();
  slots_.clear();
  PAPI_cleanup_eventset(set_);
  PAPI_destroy_eventset(&set_);
  set_ = PAPI_NULL;
}

CounterSet::~CounterSet() {
  if (set_ == PAPI_NULL) return;
  if (started_) {
    std::array<long long, 3> values{};
    PAPI_stop(set_, values.data());
  }
  PAPI_cleanup_eventset(set_);
  PAPI_destroy_eventset(&set_);
}

CounterTotals CounterSet::read() const noexcept {
  CounterTotals totals;
  if (!started_) return totals;
  std::array<long long, 3> values{};
  if (PAPI_read(set_, values.data()) != PAPI_OK) return totals;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const auto value = static_cast<std::uint64_t>(std::max(0LL, values[i]));
    switch (slots_[i]) {
      case instructions:
        totals.instructions = value;
        break;
      case cycles:
        totals.cycles = value;
        break;
      case cache_misses:
        totals.cache_misses = value;
        break;
    }
  }
  return totals;
}

}  // namespace penumbra::monitor
