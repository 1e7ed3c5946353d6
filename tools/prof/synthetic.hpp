#pragma once
// A synthetic but realistic run written through TraceWriter, for tests and for trying the tools without an
// MPI job: a hot spot drifting across the objects, per-object EWMA forecasts, and a small greedy planner that
// moves objects from the most to the least loaded rank. Deterministic for a given seed.
#include <cstdint>
#include <filesystem>
#include <string>

namespace penumbra::prof {

struct SyntheticSpec {
  std::string run_name = "synthetic";
  int ranks = 4;
  int nodes = 1;
  int epochs = 12;
  int objects = 64;
  std::uint64_t seed = 1;
};

/// Writes the trace into `dir` and returns its path. InvalidArgument on a non-positive count, or more nodes
/// than ranks, or fewer objects than ranks.
std::filesystem::path write_synthetic_trace(const std::filesystem::path& dir, const SyntheticSpec& spec);

}  // namespace penumbra::prof
