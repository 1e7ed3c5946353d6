#pragma once
// Offline check of a whole checkpoint, without MPI: what `penumbra-checkpoint` runs before a restart is
// attempted. The same checks a restore makes (format.hpp), over every file, plus that no object appears twice.
#include <filesystem>

#include "checkpoint/format.hpp"

namespace penumbra::checkpoint {

/// Reads the manifest and every data file of the checkpoint in `directory` and checks them all. Returns the
/// manifest; throws CheckpointError naming the first file that is wrong.
Manifest verify(const std::filesystem::path& directory);

}  // namespace penumbra::checkpoint
