// penumbra-bench-metadata: shadow-metadata lookups per second, sharded against centralized.
//
//   mpiexec -n N build/bin/penumbra-bench-metadata [--quick] [--json FILE]      (N >= 2)
//
// For every rank count n in {2, 4, 8, N} up to N, and both modes, on the first n ranks (metadata_lookups.hpp):
// aggregate uncached lookups/s (one-sided reads of the home's copy), cached lookups/s, updates/s through the
// homes, and the mean uncached lookup time. JSON: {"metadata":[{"ranks", "mode", "lookups_per_s",
// "cached_lookups_per_s", "updates_per_s", "uncached_us"}]}, the shape penumbra-bench-shadow's JSON uses.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <penumbra/penumbra.hpp>

#include "metadata_lookups.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Shadow-metadata lookups per second, sharded against centralized"};
  bool quick = false;
  std::string json_path;
  app.add_flag("--quick", quick, "fewer lookups (seconds instead of tens of seconds)");
  app.add_option("--json", json_path, "write the figures as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int status = 0;
  try {
    auto world = penumbra::mpi::Communicator::duplicate(MPI_COMM_WORLD);
    if (world.size() < 2)
      throw penumbra::InvalidArgument("penumbra-bench-metadata needs at least 2 ranks (mpiexec -n 4)");
    const std::vector<penumbra::bench::MetadataRow> rows = penumbra::bench::measure_metadata_section(world, quick);
    if (world.rank() == 0) {
      const nlohmann::json metadata = penumbra::bench::print_metadata_section(rows, world.size());
      if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << nlohmann::json{{"metadata", metadata}}.dump(2) << "\n";
        if (!out) throw penumbra::InvalidArgument("cannot write --json file '" + json_path + "'");
      }
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "penumbra-bench-metadata: {}\n", error.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
