// penumbra-checkpoint: checks a checkpoint directory before a restart is attempted (no MPI, one file in memory
// at a time) and prints what it holds. Exit 0: the checkpoint is complete and intact; 1: it is not (the
// message names the file and the problem, as a restore would); 2: bad usage.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "checkpoint/verify.hpp"
#include "penumbra/errors.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Check a Penumbra checkpoint (rt.checkpoint) and print what it holds"};
  std::string directory;
  bool quiet = false;
  app.add_option("directory", directory, "the checkpoint directory (holds MANIFEST.penumbra)")->required();
  app.add_flag("--quiet", quiet, "print nothing but errors");
  CLI11_PARSE(app, argc, argv);
  try {
    const penumbra::checkpoint::Manifest manifest = penumbra::checkpoint::verify(directory);
    if (quiet) return 0;
    std::uint64_t bytes = 0;
    fmt::print("checkpoint {}: token {:016x}, written by {} rank(s) after step {}, format version {}\n", directory,
               manifest.token, manifest.ranks, manifest.steps, penumbra::checkpoint::kFormatVersion);
    for (const penumbra::checkpoint::FileEntry& entry : manifest.files) {
      fmt::print("  {}  {:>12} bytes  {:>9} records ({} live)\n", entry.name, entry.size, entry.records, entry.live);
      bytes += entry.size;
    }
    fmt::print("{} objects, {} tombstones, {} bytes of data: OK\n", manifest.objects, manifest.tombstones, bytes);
    return 0;
  } catch (const penumbra::CheckpointError& error) {
    std::fprintf(stderr, "penumbra-checkpoint: %s\n", error.what());
    return 1;
  }
}
