#pragma once
/// @file trace_options.hpp
/// Where the epoch trace goes (`trace.*` configuration keys). Kept apart from trace.hpp so that config.hpp
/// does not pull in the trace records.

#include <string>

namespace penumbra {

/// Epoch tracing. Config keys: `trace.<field>`; the `PENUMBRA_TRACE=dir` variable sets `trace.dir` too and
/// wins over both the file and `PENUMBRA_TRACE_DIR` (docs/configuration.md, docs/profiling.md).
struct TraceOptions {
  /// `trace.dir`: folder that receives `<run_name>.penumbra-trace.jsonl` (created if missing). Empty: no trace.
  std::string dir;
  /// `trace.run_name`: file name stem of the trace; letters, digits, '.', '_' and '-' only. Empty: the runtime
  /// picks `penumbra-<UTC start time>-<pid of rank 0>`.
  std::string run_name;

  /// Whether a trace is written.
  bool enabled() const noexcept { return !dir.empty(); }
  /// Throws ConfigError naming `trace.run_name` when it holds a character a file name must not.
  void validate() const;

  bool operator==(const TraceOptions&) const = default;
};

}  // namespace penumbra
