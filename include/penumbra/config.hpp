#pragma once
/// @file config.hpp
/// Runtime configuration: defaults, then an optional TOML file, then `PENUMBRA_*` environment variables.
/// Every value is validated; a bad one throws penumbra::ConfigError naming the key, the value and what is
/// allowed. The full list of keys, with defaults and ranges, is in docs/configuration.md and printed by
/// `Config::describe()`.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace penumbra {

/// Every knob of the runtime, as plain data. Build one with Config::load() (defaults + file + environment)
/// or start from `Config{}` (defaults) and set fields; Runtime validates it again on construction.
struct Config {
  /// Steps between two collective rebalance epochs (`rt.step()` counts them). >= 1.
  std::int64_t epoch_interval = 10;
  /// 0: ranks on the same host form a node (real topology). k >= 1: ranks are split into k contiguous groups
  /// that count as different nodes, to exercise multi-node logic on one host. At most the number of ranks.
  std::int64_t virtual_nodes = 0;
  /// Refine the proximity classes with a measured one-sided latency (MPI_Get) between every pair of ranks.
  bool latency_probe = false;
  /// Gets per pair in the latency probe (the median is kept). 1..1000; the probe costs ~samples x ranks gets.
  std::int64_t latency_probe_samples = 16;
  /// Check the object invariants (one owner per object, directory agreement) after every epoch. Collective;
  /// for debugging and tests.
  bool check_invariants = false;

  /// Keep shadow copies of hot objects on the ranks that read them (docs/shadows.md).
  bool shadows = true;
  /// Bytes of this rank's memory exposed for shadows of other ranks' objects (an MPI_Win_allocate window).
  std::int64_t shadow_budget_bytes = 16 << 20;
  /// Most shadow copies of one object (k). Full replication only if set to the number of ranks - 1.
  std::int64_t shadow_max_copies = 2;
  /// Staleness bound: a shadow is never more than this many versions behind once the owner's write returns.
  std::int64_t shadow_max_versions_behind = 1;
  /// Staleness bound: pending versions are pushed at the owner's next runtime call after this many microseconds.
  std::int64_t shadow_max_age_us = 1000;

  /// Defaults, then the TOML file named by `PENUMBRA_CONFIG` (if set), then `PENUMBRA_*` variables.
  static Config load();
  /// Defaults, then `file` (if not empty), then `PENUMBRA_*` variables.
  static Config load(const std::filesystem::path& file);
  /// Defaults overridden by the TOML file only. Unknown keys are errors (a typo must not pass silently).
  static Config from_file(const std::filesystem::path& file);
  /// `base` overridden by the given environment (name -> value); used by load() with the process environment.
  static Config with_environment(Config base, const std::map<std::string, std::string>& environment);

  /// Throws ConfigError for the first invalid field.
  void validate() const;
  /// The effective configuration, one `key = value` line per key (TOML, so it can be saved and reloaded).
  std::string to_string() const;
  /// Every key with its environment variable, default and allowed values (for --help texts and docs).
  static std::string describe();

  bool operator==(const Config&) const = default;
};

}  // namespace penumbra
