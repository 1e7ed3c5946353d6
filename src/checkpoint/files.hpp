#pragma once
// The file half of a checkpoint: whole files in and out, durably. No MPI. Every failure is a CheckpointError
// naming the path and the system's reason.
#include <filesystem>
#include <span>

#include "penumbra/codec.hpp"

namespace penumbra::checkpoint {

/// The whole file. CheckpointError "missing" when it does not exist, else the system's reason.
Bytes read_file(const std::filesystem::path& path);
/// Writes `bytes` to `path` + kTemporarySuffix, flushes it to disk (fsync), then renames it to `path`: a
/// reader sees the old file or the complete new one, never a partial one. The directory entry itself is
/// made durable by sync_directory.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
/// fsync of the directory, so that renames into it survive a crash.
void sync_directory(const std::filesystem::path& directory);
/// Creates the directory (and parents) if needed.
void ensure_directory(const std::filesystem::path& directory);
/// Best effort: a file that cannot be removed is left (a cleanup failure must not fail a checkpoint that is
/// complete and named by its manifest).
void remove_quietly(const std::filesystem::path& path) noexcept;

}  // namespace penumbra::checkpoint
