#pragma once
/// @file task_options.hpp
/// The task scheduler's options (`tasks.*` configuration keys; docs/tasks.md). Kept apart from tasks.hpp so
/// that config.hpp does not pull in the task machinery.

#include <string>

namespace penumbra {

struct TaskOptions {
  /// `tasks.stealing`: a rank whose queue ran dry takes read-only tasks from busier ranks, if it holds
  /// (shadows of) everything they read. Tasks that write never move: they run at their objects' owner.
  bool stealing = true;
  /// `tasks.on_error`: "continue" (a failed task is reported through its future; the step goes on) or
  /// "stop" (the step ends with TaskFailed on the rank where it failed and RemoteError on the others).
  std::string on_error = "continue";

  /// Throws ConfigError naming the first bad key, its value and what is allowed.
  void validate() const;
  bool stop_on_error() const noexcept { return on_error == "stop"; }
  bool operator==(const TaskOptions&) const = default;
};

}  // namespace penumbra
