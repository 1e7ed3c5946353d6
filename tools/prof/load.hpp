#pragma once
// Reads a trace for a command, with a progress bar for big files.
#include <filesystem>

#include "penumbra/trace.hpp"

namespace penumbra::prof {

/// Files above this size get a progress bar on a terminal (smaller ones load too fast to need one).
inline constexpr std::uint64_t kProgressThresholdBytes = 4u << 20;

/// read_trace with a progress bar when `show_progress` or when the file is large and stderr a terminal.
trace::Trace load_trace(const std::filesystem::path& path, bool show_progress);

}  // namespace penumbra::prof
