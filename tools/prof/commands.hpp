#pragma once
// What each penumbra-prof subcommand does, as functions over a loaded trace (main.cpp only parses flags).
// Each throws penumbra::Error (or std::filesystem errors) on failure; main turns them into exit status 1.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "penumbra/trace.hpp"

namespace penumbra::prof {

/// One row per epoch (trigger, loads, error, moves, bytes, shadows, phase times), then totals.
void print_summary(const trace::Trace& trace, std::FILE* out);
/// Two runs side by side, epoch by epoch (matched by epoch index), then both runs' totals.
void print_compare(const trace::Trace& a, const trace::Trace& b, std::FILE* out);
/// Writes the SVG charts into `dir` (created if needed); returns the files written.
std::vector<std::filesystem::path> write_plots(const trace::Trace& trace, const std::filesystem::path& dir);
/// Chrome/Perfetto trace-event JSON (open in ui.perfetto.dev or chrome://tracing).
void export_perfetto(const trace::Trace& trace, const std::filesystem::path& file);
/// An OTF2 archive in `dir` (anchor file `dir/<run_name>.otf2`), readable by otf2-print and Vampir.
/// Returns the anchor file.
std::filesystem::path export_otf2(const trace::Trace& trace, const std::filesystem::path& dir);

}  // namespace penumbra::prof
