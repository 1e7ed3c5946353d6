#pragma once
/// @file config.hpp
/// Runtime configuration: defaults, then an optional TOML file, then `PENUMBRA_*` environment variables.
/// Keys are flat (`epoch_interval`) or belong to a section (`shadow.max_copies`: a `[shadow]` table or a
/// dotted key in TOML, `PENUMBRA_SHADOW_MAX_COPIES` in the environment). Every value is validated; a bad one throws penumbra::ConfigError naming the key, the value and what is
/// allowed. The full list of keys, with defaults and ranges, is in docs/configuration.md and printed by
/// `Config::describe()`.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "penumbra/affinity.hpp"
#include "penumbra/balance.hpp"
#include "penumbra/fault_options.hpp"
#include "penumbra/load.hpp"
#include "penumbra/metadata_options.hpp"
#include "penumbra/predictor_options.hpp"
#include "penumbra/shadow.hpp"
#include "penumbra/task_options.hpp"
#include "penumbra/trace_options.hpp"

namespace penumbra {

/// Every knob of the runtime, as plain data. Build one with Config::load() (defaults + file + environment)
/// or start from `Config{}` (defaults) and set fields; Runtime validates it again on construction.
struct Config {
  /// Steps between two collective shadow epochs (shadow placement and, with check_invariants, the invariant
  /// check; `rt.step()` counts them). Rebalance epochs have their own period, `balance.epoch_every`. >= 1.
  std::int64_t epoch_interval = 10;
  /// 0: ranks on the same host form a node (real topology). k >= 1: ranks are split into k contiguous groups
  /// that count as different nodes, to exercise multi-node logic on one host. At most the number of ranks.
  std::int64_t virtual_nodes = 0;
  /// Refine the proximity classes with a measured one-sided latency (MPI_Get) between every pair of ranks.
  bool latency_probe = false;
  /// Gets per pair in the latency probe (the median is kept). 1..1000; the probe costs ~samples x ranks gets.
  std::int64_t latency_probe_samples = 16;
  /// Requests to another rank ring its doorbell (a one-sided increment), and object calls look at their own
  /// doorbell at every call: a busy owner then answers at its next call instead of at its next paced probe
  /// (docs/design.md, "Requests"). Off: owners find requests by paced probes only.
  bool request_doorbell = true;
  /// A background thread per rank serves other ranks' requests and pushes due versions while the application
  /// computes outside Penumbra (docs/design.md, "Progress thread"). Needs MPI initialised with
  /// MPI_THREAD_MULTIPLE (ConfigError otherwise). Off: requests wait for the owner's next Penumbra call.
  bool progress_thread = false;
  /// Longest sleep of an idle progress thread, in microseconds: the longest an owner busy outside Penumbra
  /// takes to answer. The thread sleeps 50 us after a round that found work and doubles it per idle round.
  /// 50..1000000.
  std::int64_t progress_thread_max_sleep_us = 1000;
  /// Check the object invariants (one owner per object, directory agreement) after every epoch. Collective;
  /// for debugging and tests.
  bool check_invariants = false;

  /// Shadow policy and mechanism (`shadow.*` keys; docs/shadows.md, docs/shadow-policy.md).
  ShadowOptions shadow;
  /// Load monitor (`monitor.*` keys; docs/prediction.md).
  MonitorOptions monitor;
  /// Load predictor and its models (`predictor.*` keys; docs/prediction.md).
  PredictorOptions predictor;
  /// Affinity weights and rules (`affinity.*` keys; docs/prediction.md).
  AffinityOptions affinity;
  /// Shadow metadata service (`metadata.*` keys; docs/metadata.md).
  MetadataOptions metadata;
  /// Fault injection for tests of the recovery paths (`fault.*` keys; docs/fault-injection.md). Off unless
  /// configured.
  FaultOptions fault;
  /// Rebalance epochs and the strategy (`balance.*` keys; docs/rebalance.md).
  BalanceOptions balance;
  /// Epoch trace (`trace.*` keys; docs/profiling.md). `PENUMBRA_TRACE=dir` also sets `trace.dir`.
  TraceOptions trace;
  /// Task scheduler (`tasks.*` keys; docs/tasks.md).
  TaskOptions tasks;

  /// Defaults, then the TOML file named by `PENUMBRA_CONFIG` (if set), then `PENUMBRA_*` variables.
  static Config load();
  /// Defaults, then `file` (if not empty), then `PENUMBRA_*` variables.
  static Config load(const std::filesystem::path& file);
  /// Defaults overridden by the TOML file only. Unknown keys are errors (a typo must not pass silently).
  static Config from_file(const std::filesystem::path& file);
  /// `base` overridden by the given environment (name -> value); used by load() with the process environment.
  /// `PENUMBRA_TRACE` is a short alias of `PENUMBRA_TRACE_DIR` and wins when both are set.
  static Config with_environment(Config base, const std::map<std::string, std::string>& environment);
  /// `base` overridden by `key=value` settings with the keys of the configuration (`predictor.ar_order=6`), for
  /// tools' `--set` options. A value is read as in the environment. ConfigError for a setting without '=', an
  /// unknown key, or a bad value, naming it.
  static Config with_settings(Config base, const std::vector<std::string>& settings);

  /// Throws ConfigError for the first invalid field.
  void validate() const;
  /// The effective configuration, one `key = value` line per key (TOML, so it can be saved and reloaded).
  std::string to_string() const;
  /// Every key with its environment variable, default and allowed values (for --help texts and docs).
  static std::string describe();

  bool operator==(const Config&) const = default;
};

}  // namespace penumbra
