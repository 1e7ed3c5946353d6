#pragma once
// Whether this node has usable hardware counters. On our VMs PAPI initialises and its perf_event component
// even reports counters (PAPI_num_cmp_hwctrs = 20), but no preset can be added to an event set
// (PAPI_ECMP; ENVIRONMENT.md), so the only honest test is to try. The load monitor then uses timers only.
#include <string>
#include <vector>

namespace penumbra::monitor {

struct CounterSupport {
  bool library_ok = false;
  std::vector<std::string> usable_events;  ///< presets that could be added to an event set
  std::string note;  ///< one line for logs and tools, e.g. "PAPI 7.0.0: no usable hardware counters, timers only"
};

/// Tries PAPI_TOT_INS, PAPI_TOT_CYC and PAPI_L3_TCM (else PAPI_L2_TCM). Never throws: failures are reported.
CounterSupport probe_papi();

}  // namespace penumbra::monitor
