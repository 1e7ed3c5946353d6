#include "monitor/papi_probe.hpp"

#include <fmt/format.h>
#include <papi.h>

namespace penumbra::monitor {
namespace {

// Adds `event` to a fresh event set and starts/stops it: a counter that cannot count fails one of these.
bool event_usable(int event) {
  int set = PAPI_NULL;
  if (PAPI_create_eventset(&set) != PAPI_OK) return false;
  bool usable = PAPI_add_event(set, event) == PAPI_OK;
  long long value = 0;
  if (usable) usable = PAPI_start(set) == PAPI_OK && PAPI_stop(set, &value) == PAPI_OK;
  PAPI_cleanup_eventset(set);
  PAPI_destroy_eventset(&set);
  return usable;
}

}  // namespace

CounterSupport probe_papi() {
  CounterSupport support;
  const int version = PAPI_is_initialized() ? PAPI_VER_CURRENT : PAPI_library_init(PAPI_VER_CURRENT);
  if (version != PAPI_VER_CURRENT) {
    support.note =
        fmt::format("PAPI unavailable ({}): timers only", version < 0 ? PAPI_strerror(version) : "version mismatch");
    return support;
  }
  support.library_ok = true;
  const std::pair<int, const char*> candidates[] = {{PAPI_TOT_INS, "PAPI_TOT_INS"},
                                                    {PAPI_TOT_CYC, "PAPI_TOT_CYC"},
                                                    {PAPI_L3_TCM, "PAPI_L3_TCM"},
                                                    {PAPI_L2_TCM, "PAPI_L2_TCM"}};
  for (const auto& [event, name] : candidates)
    if (event_usable(event)) support.usable_events.emplace_back(name);
  const auto version_text = fmt::format("PAPI {}.{}.{}", PAPI_VERSION_MAJOR(PAPI_VERSION),
                                        PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION));
  support.note = support.usable_events.empty()
                     ? version_text + ": no usable hardware counters, timers only"
                     : fmt::format("{}: counters {}", version_text, fmt::join(support.usable_events, ", "));
  return support;
}

}  // namespace penumbra::monitor
