// penumbra-bench-objects: what an object access and a move cost, against the raw MPI they are built on.
//
//   mpiexec -n 2 build/bin/penumbra-bench-objects [--quick] [--json FILE]
//
// Rank 0 measures; rank 1 owns the remote objects and serves while it waits in rt.barrier(). For each size:
//   local view   rt.view<T>() of an object this rank owns (shares the stored value: no copy)
//   local read   rt.read<T>() of an object this rank owns (one copy)
//   remote read  rt.read<T>() of an object rank 1 owns (request + reply, served by rank 1's runtime)
//   ping-pong    raw MPI_Send/MPI_Recv of a request and a reply of the same size (two-sided floor)
//   MPI_Get      raw MPI_Get + MPI_Win_flush from an MPI_Win_allocate window (the one-sided floor that
//                shadow reads will use)
//   move         collective rt.migrate() of a batch of objects 0 -> 1, per object
// Every figure is a median over repetitions; the table adds remote read / ping-pong and remote read / MPI_Get.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <penumbra/penumbra.hpp>
#include <vector>

#include "bench_common.hpp"
#include "mpi/communicator.hpp"
#include "mpi/window.hpp"

namespace {

using penumbra::bench::Clock;
using penumbra::bench::median_us;
using penumbra::bench::name_homed_at;
using Payload = std::vector<std::uint8_t>;  // Boost-serialized (one memcpy for arithmetic vectors)

struct Row {
  std::size_t bytes;
  double local_view_us, local_read_us, remote_read_us, ping_pong_us, mpi_get_us, move_per_object_us;
};

Row measure(penumbra::Runtime& rt, const penumbra::mpi::Communicator& raw, std::size_t bytes, int repetitions,
            int batch) {
  Row row{bytes, 0, 0, 0, 0, 0, 0};
  const Payload payload(bytes, 7);
  const std::string local = name_homed_at(rt, 0, fmt::format("local/{}/", bytes));
  const std::string remote = name_homed_at(rt, rt.size() - 1, fmt::format("remote/{}/", bytes));
  if (rt.rank() == 0) {
    rt.create(local, payload);
    rt.create(remote, payload);
  }
  rt.barrier();

  if (rt.rank() == 0) {
    row.local_view_us = median_us(repetitions, [&] { (void)rt.view<Payload>(local); });
    row.local_read_us = median_us(repetitions, [&] { (void)rt.read<Payload>(local); });
    row.remote_read_us = median_us(repetitions, [&] { (void)rt.read<Payload>(remote); });
  }
  rt.barrier();  // rank 1 serves the remote reads in here

  // Raw two-sided floor: a small request out, a reply of `bytes` back.
  Payload reply(bytes);
  std::byte request{1};
  const int peer = rt.size() - 1;
  const auto count = static_cast<int>(bytes);
  for (int i = 0; i < repetitions; ++i) {
    if (rt.rank() == 0) {
      const auto start = Clock::now();
      MPI_Send(&request, 1, MPI_BYTE, peer, 0, raw.get());
      MPI_Recv(reply.data(), count, MPI_BYTE, peer, 1, raw.get(), MPI_STATUS_IGNORE);
      row.ping_pong_us += std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    } else if (rt.rank() == peer) {
      MPI_Recv(&request, 1, MPI_BYTE, 0, 0, raw.get(), MPI_STATUS_IGNORE);
      MPI_Send(reply.data(), count, MPI_BYTE, 0, 1, raw.get());
    }
  }
  row.ping_pong_us /= repetitions;

  // Raw one-sided floor.
  {
    auto window = penumbra::mpi::Window::allocate(raw, bytes);
    penumbra::mpi::LockAllEpoch epoch(window);
    if (rt.rank() == 0)
      row.mpi_get_us = median_us(repetitions, [&] {
        MPI_Get(reply.data(), count, MPI_BYTE, peer, 0, count, MPI_BYTE, window.get());
        MPI_Win_flush(peer, window.get());
      });
    raw.barrier();
  }

  // Moves: a batch of objects from rank 0 to the last rank, per object.
  std::vector<penumbra::Move> moves;
  if (rt.rank() == 0)
    for (int k = 0; k < batch; ++k) {
      const std::string name = name_homed_at(rt, 0, fmt::format("move/{}/{}/", bytes, k));
      rt.create(name, payload);
      moves.push_back({penumbra::ObjectId::from_name(name), peer});
    }
  rt.barrier();
  const auto start = Clock::now();
  const penumbra::MigrationReport report = rt.migrate(moves);
  const double seconds = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  row.move_per_object_us = seconds / static_cast<double>(std::max<std::size_t>(1, report.objects_moved_total));
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  CLI::App app{"Penumbra object access and move costs vs raw MPI"};
  bool quick = false;
  std::string json_path;
  app.add_flag("--quick", quick, "fewer repetitions and sizes (CI)");
  app.add_option("--json", json_path, "write the results as JSON to this file");
  int status = 0;
  try {
    app.parse(argc, argv);
    int ranks = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks < 2) throw penumbra::InvalidArgument(fmt::format("ranks = {} (expected at least 2)", ranks));
    penumbra::Runtime rt{MPI_COMM_WORLD};
    auto raw = penumbra::mpi::Communicator::duplicate(MPI_COMM_WORLD);
    const std::vector<std::size_t> sizes =
        quick ? std::vector<std::size_t>{8, 65536} : std::vector<std::size_t>{8, 1024, 65536, 1 << 20};
    const int repetitions = quick ? 50 : 400;
    const int batch = quick ? 8 : 32;
    std::vector<Row> rows;
    for (std::size_t bytes : sizes)
      rows.push_back(measure(rt, raw, bytes, bytes >= (1 << 20) ? repetitions / 8 : repetitions, batch));

    if (rt.rank() == 0) {
      fmt::print("{} ranks, medians in microseconds (oversubscribed ranks make absolute times noise; read ratios)\n",
                 ranks);
      fmt::print("{:>9} {:>11} {:>11} {:>12} {:>10} {:>9} {:>11} {:>14} {:>13}\n", "bytes", "local view", "local read",
                 "remote read", "ping-pong", "MPI_Get", "move/obj", "remote/pingpong", "remote/MPI_Get");
      nlohmann::json json{{"benchmark", "penumbra-bench-objects"}, {"ranks", ranks}, {"quick", quick}};
      for (const Row& row : rows) {
        fmt::print("{:>9} {:>11.3f} {:>11.3f} {:>12.2f} {:>10.2f} {:>9.2f} {:>11.2f} {:>14.2f}x {:>12.2f}x\n",
                   row.bytes, row.local_view_us, row.local_read_us, row.remote_read_us, row.ping_pong_us,
                   row.mpi_get_us, row.move_per_object_us, row.remote_read_us / row.ping_pong_us,
                   row.remote_read_us / row.mpi_get_us);
        json["rows"].push_back({{"bytes", row.bytes},
                                {"local_view_us", row.local_view_us},
                                {"local_read_us", row.local_read_us},
                                {"remote_read_us", row.remote_read_us},
                                {"ping_pong_us", row.ping_pong_us},
                                {"mpi_get_us", row.mpi_get_us},
                                {"move_per_object_us", row.move_per_object_us},
                                {"remote_read_over_ping_pong", row.remote_read_us / row.ping_pong_us},
                                {"remote_read_over_mpi_get", row.remote_read_us / row.mpi_get_us}});
      }
      if (!json_path.empty()) std::ofstream(json_path) << json.dump(2) << "\n";
    }
  } catch (const CLI::ParseError& error) {
    status = app.exit(error);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-bench-objects: %s\n", error.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
