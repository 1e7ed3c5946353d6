// Quickstart: a 1-D stencil over blocks that live wherever their ids hash to (the default placement), then
// the same stencil after one collective migration puts each block next to its neighbours. Shows creating,
// reading and writing objects from any rank, the move primitive, and what placement does to remote reads.
//
//   mpiexec -n 4 build/bin/quickstart [blocks] [steps]
#include <fmt/format.h>
#include <mpi.h>

#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdio>
#include <penumbra/penumbra.hpp>
#include <string>
#include <vector>

namespace {

struct Parameters {  // trivially copyable: stored and sent as its own bytes
  double diffusion;
  int step;
};

std::string block_name(int index) { return "block/" + std::to_string(index); }

struct PhaseResult {
  double seconds = 0;
  long local_reads = 0;
  long remote_reads = 0;
  int blocks_here = 0;
};

// Each rank updates the blocks it owns from their two neighbours (periodic) and the shared parameters.
PhaseResult run_phase(penumbra::Runtime& rt, int blocks, int steps) {
  PhaseResult result;
  rt.barrier();
  const auto started = std::chrono::steady_clock::now();
  for (int step = 0; step < steps; ++step) {
    const double diffusion = rt.read<Parameters>("parameters").value.diffusion;
    for (penumbra::ObjectId id : rt.local_objects()) {
      const std::string name = rt.info(id).name;
      if (name == "parameters") continue;
      const int index = std::stoi(name.substr(6));
      std::vector<double> mine = rt.read<std::vector<double>>(id).value;
      double halo = 0;
      for (int neighbour : {(index + blocks - 1) % blocks, (index + 1) % blocks}) {
        const bool local = rt.owner_of(block_name(neighbour)) == rt.rank();
        (local ? result.local_reads : result.remote_reads) += 1;
        halo += rt.read<std::vector<double>>(block_name(neighbour)).value.front();
      }
      for (double& cell : mine) cell += diffusion * (halo / 2 - cell);
      rt.write(id, std::move(mine));
    }
    rt.step();
  }
  rt.barrier();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

double percent(long part, long whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

template <class T>
T sum_over_ranks(T value, MPI_Datatype type) {
  T total{};
  MPI_Reduce(&value, &total, 1, type, MPI_SUM, 0, MPI_COMM_WORLD);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  try {
    const int blocks = argc > 1 ? std::stoi(argv[1]) : 64;
    const int steps = argc > 2 ? std::stoi(argv[2]) : 20;
    if (blocks < 2 || steps < 1)
      throw penumbra::InvalidArgument(
          fmt::format("blocks = {}, steps = {} (expected blocks >= 2, steps >= 1)", blocks, steps));
    penumbra::Runtime rt{MPI_COMM_WORLD};
    if (rt.rank() == 0)
      fmt::print("Penumbra {} on {} ranks, {} node(s)\nconfiguration:\n{}\n", penumbra::version_string, rt.size(),
                 rt.topology().node_count(), rt.config().to_string());

    for (int i = rt.rank(); i < blocks; i += rt.size())
      rt.create(block_name(i), std::vector<double>(256, static_cast<double>(i)));
    if (rt.rank() == 0) rt.create("parameters", Parameters{0.25, 0});
    rt.barrier();

    const PhaseResult hashed = run_phase(rt, blocks, steps);
    const int blocks_hashed = static_cast<int>(rt.local_objects().size());

    // Contiguous decomposition: block i goes to rank i * size / blocks, so most neighbours become local.
    std::vector<penumbra::Move> moves;
    for (penumbra::ObjectId id : rt.local_objects()) {
      const std::string name = rt.info(id).name;
      if (name == "parameters") continue;
      const int index = std::stoi(name.substr(6));
      moves.push_back({id, static_cast<int>(static_cast<long>(index) * rt.size() / blocks)});
    }
    const penumbra::MigrationReport report = rt.migrate(moves);
    const PhaseResult placed = run_phase(rt, blocks, steps);
    rt.check_invariants();

    const long hashed_remote = sum_over_ranks(hashed.remote_reads, MPI_LONG);
    const long hashed_local = sum_over_ranks(hashed.local_reads, MPI_LONG);
    const long placed_remote = sum_over_ranks(placed.remote_reads, MPI_LONG);
    const long placed_local = sum_over_ranks(placed.local_reads, MPI_LONG);
    std::vector<int> hashed_counts(static_cast<std::size_t>(rt.size())), placed_counts(hashed_counts.size());
    const int placed_here = static_cast<int>(rt.local_objects().size());
    MPI_Gather(&blocks_hashed, 1, MPI_INT, hashed_counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(&placed_here, 1, MPI_INT, placed_counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rt.rank() == 0) {
      fmt::print("{:<22} {:>10} {:>12} {:>12} {:>14}  {}\n", "placement", "time [s]", "local reads", "remote reads",
                 "remote share", "objects per rank");
      fmt::print("{:<22} {:>10.3f} {:>12} {:>12} {:>13.1f}%  {}\n", "hashed (default)", hashed.seconds, hashed_local,
                 hashed_remote, percent(hashed_remote, hashed_local + hashed_remote), fmt::join(hashed_counts, " "));
      fmt::print("{:<22} {:>10.3f} {:>12} {:>12} {:>13.1f}%  {}\n", "contiguous (migrated)", placed.seconds,
                 placed_local, placed_remote, percent(placed_remote, placed_local + placed_remote),
                 fmt::join(placed_counts, " "));
      fmt::print("migration: {} objects, {} bytes moved in {:.3f} s; invariants hold\n", report.objects_moved_total,
                 report.bytes_moved_total, report.seconds);
    }
  } catch (const penumbra::Error& error) {
    std::fprintf(stderr, "quickstart: %s\n", error.what());
    status = 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "quickstart: %s\n", error.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
