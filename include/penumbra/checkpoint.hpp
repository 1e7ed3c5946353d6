#pragma once
/// @file checkpoint.hpp
/// What `Runtime::checkpoint` and `Runtime::restore` report. The format, the guarantees and the limits are
/// in docs/checkpoint.md.

#include <cstddef>
#include <cstdint>
#include <string>

namespace penumbra {

/// What one collective checkpoint wrote (the same on every rank, except `local_*`).
struct CheckpointReport {
  std::string manifest;             ///< path of the manifest that now names this checkpoint
  std::uint64_t token = 0;          ///< this checkpoint's identity, part of every file name
  int ranks = 0;                    ///< ranks that wrote it (one data file each)
  std::uint64_t objects = 0;        ///< live objects, over all ranks
  std::uint64_t tombstones = 0;     ///< erased objects kept so that their versions never go back
  std::uint64_t bytes = 0;          ///< size of every data file and the manifest
  std::uint64_t local_objects = 0;  ///< live objects this rank wrote
  double seconds = 0.0;             ///< wall time of the call on this rank
};

/// What one collective restore installed.
struct RestoreReport {
  std::uint64_t token = 0;    ///< the checkpoint's identity
  int checkpoint_ranks = 0;   ///< ranks of the job that wrote it (may differ from this job's)
  std::uint64_t objects = 0;  ///< live objects restored, over all ranks
  std::uint64_t tombstones = 0;
  std::uint64_t local_objects = 0;  ///< live objects this rank owns now
  std::string configuration;        ///< the writing job's configuration (Config::to_string()), for comparison
  double seconds = 0.0;
};

}  // namespace penumbra
