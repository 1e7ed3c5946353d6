#pragma once
// A running PAPI event set for the load monitor: instructions, cycles and last-level cache misses of the
// calling thread. Built only from the presets probe_papi() found usable, and never started empty: PAPI_start
// on an empty set fails with -17 (ENVIRONMENT.md, "PAPI 7.0 on a VM without a PMU").
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "penumbra/load.hpp"

namespace penumbra::monitor {

class CounterSet {
 public:
  /// Adds the usable presets among `events` (PAPI_TOT_INS, PAPI_TOT_CYC, PAPI_L3_TCM or else PAPI_L2_TCM)
  /// to a new event set and starts it. Events PAPI refuses now are dropped; with none left nothing is
  /// started and active() is false. Never throws.
  explicit CounterSet(const std::vector<std::string>& events);
  ~CounterSet();
  CounterSet(const CounterSet&) = delete;
  CounterSet& operator=(const CounterSet&) = delete;

  /// True when counters are running.
  bool active() const noexcept { return started_; }
  /// The presets being counted.
  const std::vector<std::string>& events() const noexcept { return names_; }
  /// Cumulative counts since start (zeros when inactive or when PAPI_read fails).
  CounterTotals read() const noexcept;

 private:
  enum Slot { instructions, cycles, cache_misses };
  static std::optional<Slot> slot_of(const std::string& name);
  int set_;
  bool started_ = false;
  std::vector<std::string> names_;
  std::vector<Slot> slots_;  // slot of each event, in event-set order
};

}  // namespace penumbra::monitor
