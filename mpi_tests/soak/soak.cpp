// penumbra-soak: many rebalance epochs under a random workload, checking every invariant after every epoch.
//
//   mpiexec -n 8 build/bin/tests/penumbra-soak [--epochs 1000] [--objects 128] [--strategy greedy] [--seed 1]
//
// Every step each rank submits write tasks on random objects (each appends a known delta to the object's
// ledger) and read-only tasks on random objects (placed on shadows, stolen by idle ranks); object costs drift
// at random, so the strategy moves objects at every epoch (one per step). After each epoch:
//   - one owner per object, every directory agrees, no version went down (Runtime::check_invariants);
//   - exactly `objects` objects live (nothing lost, nothing duplicated);
//   - every object's ledger is intact (its total is the sum of its entries) and holds exactly the writes that
//     were submitted to it, one version each (nothing lost or applied twice): counted by the submitters;
//   - the sum of all ledgers equals the sum of every delta submitted (a checksum of all objects, conserved);
//   - every task succeeded and every read-only task saw an intact ledger.
// A failure prints what broke and exits 1.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <penumbra/penumbra.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

// A Boost-serialized value (migrations take the archive path), growing as it is written.
struct Ledger {
  std::uint64_t total = 0;
  std::vector<std::uint64_t> entries;
  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive & total & entries;
  }
  bool intact() const { return total == std::accumulate(entries.begin(), entries.end(), std::uint64_t{0}); }
};

struct Append {
  std::int64_t object;
  std::uint64_t delta;
  double work_us;
};

struct Inspect {
  std::int64_t objects[3];
  int count;
};

std::string object_name(std::int64_t i) { return fmt::format("soak/{}", i); }
penumbra::ObjectId object_id(std::int64_t i) { return penumbra::ObjectId::from_name(object_name(i)); }

[[noreturn]] void broken(const std::string& what) { throw penumbra::InvariantViolation(what); }

template <class T>
std::vector<T> sum_over_ranks(std::vector<T> values, MPI_Datatype type) {
  std::vector<T> total(values.size());
  MPI_Allreduce(values.data(), total.data(), static_cast<int>(values.size()), type, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

int run(int epochs, int objects, const std::string& strategy, std::uint64_t seed) {
  penumbra::Config config = penumbra::Config::load();
  config.monitor.print_notice = false;
  config.shadow.enabled = true;
  config.shadow.max_copies = 2;
  config.balance.strategy = strategy;
  config.balance.epoch_every = 1;  // an epoch after every step
  config.balance.threshold = 0.05;
  config.epoch_interval = 1;
  penumbra::Runtime rt(MPI_COMM_WORLD, config);
  const int rank = rt.rank(), ranks = rt.size();

  for (int i = 0; i < objects; ++i)
    if (rt.owner_of(object_name(i)) == rank) rt.create(object_name(i), Ledger{});
  rt.barrier();

  const auto append = rt.register_task<Append>("soak/append", [](penumbra::TaskContext& ctx, const Append& op) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(op.work_us));
    Ledger ledger = ctx.read<Ledger>(object_id(op.object)).value;
    ledger.entries.push_back(op.delta);
    ledger.total += op.delta;
    ctx.write(object_id(op.object), std::move(ledger));
  });
  const auto inspect = rt.register_task<Inspect>("soak/inspect", [](penumbra::TaskContext& ctx, const Inspect& op) {
    bool intact = true;
    for (int k = 0; k < op.count; ++k) intact = intact && ctx.read<Ledger>(object_id(op.objects[k])).value.intact();
    return intact;
  });

  // Object costs drift (a random walk per object, the same on every rank), so the balance keeps changing.
  std::mt19937_64 shared_rng(seed);
  std::vector<double> cost_us(static_cast<std::size_t>(objects));
  for (double& c : cost_us) c = std::uniform_real_distribution<double>(20.0, 200.0)(shared_rng);
  std::mt19937_64 rng(seed * 7919 + static_cast<std::uint64_t>(rank));
  std::vector<std::int64_t> writes_submitted(static_cast<std::size_t>(objects), 0);  // by this rank
  std::uint64_t delta_sum = 0;                                                        // by this rank
  std::int64_t inspections = 0;
  constexpr int kWritesPerRank = 4, kReadsPerRank = 4;

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    for (double& c : cost_us)
      c = std::clamp(c * std::exp(std::normal_distribution<double>(0.0, 0.3)(shared_rng)), 5.0, 400.0);
    std::vector<penumbra::Future<void>> wrote;
    std::vector<penumbra::Future<bool>> inspected;
    std::uniform_int_distribution<std::int64_t> pick(0, objects - 1);
    for (int k = 0; k < kWritesPerRank; ++k) {
      const std::int64_t object = pick(rng);
      const std::uint64_t delta = 1 + rng() % 1000;
      ++writes_submitted[static_cast<std::size_t>(object)];
      delta_sum += delta;
      wrote.push_back(rt.submit(append, Append{object, delta, cost_us[static_cast<std::size_t>(object)]},
                                penumbra::TaskSpec{}.with_writes({object_id(object)}).with_cost(
                                    cost_us[static_cast<std::size_t>(object)] * 1e-6)));
    }
    for (int k = 0; k < kReadsPerRank; ++k) {
      Inspect op{{}, 1 + static_cast<int>(rng() % 3)};
      std::vector<penumbra::ObjectId> reads;
      for (int j = 0; j < op.count; ++j) {
        do op.objects[j] = pick(rng);
        while (std::find(reads.begin(), reads.end(), object_id(op.objects[j])) != reads.end());
        reads.push_back(object_id(op.objects[j]));
      }
      inspected.push_back(rt.submit(inspect, op, penumbra::TaskSpec{}.with_reads(std::move(reads))));
    }
    rt.step();  // the tasks, then the rebalance epoch (and a shadow epoch)

    for (auto& future : wrote) future.get();  // TaskFailed if any write failed
    for (auto& future : inspected)
      if (!future.get()) broken(fmt::format("epoch {}: a read-only task saw a torn ledger", epoch));
    inspections += static_cast<std::int64_t>(inspected.size());

    rt.check_invariants();
    const std::vector<penumbra::ObjectId> owned = rt.local_objects();
    std::vector<std::int64_t> found(static_cast<std::size_t>(objects), 0), versions(found.size(), 0);
    std::uint64_t ledger_sum = 0;
    for (int i = 0; i < objects; ++i) {
      if (!std::binary_search(owned.begin(), owned.end(), object_id(i))) continue;
      const auto [ledger, version] = rt.read<Ledger>(object_name(i));
      if (!ledger.intact()) broken(fmt::format("epoch {}: object {} has a torn ledger at its owner", epoch, i));
      found[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(ledger.entries.size());
      versions[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(version);
      ledger_sum += ledger.total;
    }
    const std::vector<std::int64_t> submitted = sum_over_ranks(writes_submitted, MPI_INT64_T);
    const std::vector<std::int64_t> entries = sum_over_ranks(found, MPI_INT64_T);
    const std::vector<std::int64_t> all_versions = sum_over_ranks(versions, MPI_INT64_T);
    const std::vector<std::uint64_t> sums = sum_over_ranks(std::vector<std::uint64_t>{ledger_sum, delta_sum,
                                                                                       owned.size()},
                                                           MPI_UINT64_T);
    if (sums[2] != static_cast<std::uint64_t>(objects))
      broken(fmt::format("epoch {}: {} objects live, {} created", epoch, sums[2], objects));
    for (int i = 0; i < objects; ++i) {
      const auto at = static_cast<std::size_t>(i);
      if (entries[at] != submitted[at])
        broken(fmt::format("epoch {}: object {} holds {} writes, {} were submitted", epoch, i, entries[at],
                           submitted[at]));
      if (all_versions[at] != submitted[at] + 1)
        broken(fmt::format("epoch {}: object {} is at version {} after {} writes", epoch, i, all_versions[at],
                           submitted[at]));
    }
    if (sums[0] != sums[1])
      broken(fmt::format("epoch {}: the ledgers sum to {}, the deltas submitted to {}", epoch, sums[0], sums[1]));
  }

  std::uint64_t moved = 0;
  for (const auto& report : rt.epoch_reports()) moved += report.objects_moved;
  const penumbra::TaskStats tasks = rt.task_stats();
  const penumbra::ShadowStats shadows = rt.shadow_stats();
  const std::vector<std::uint64_t> totals = sum_over_ranks(
      std::vector<std::uint64_t>{tasks.executed, tasks.stolen, tasks.read_only_on_copy,
                                 shadows.local_hits + shadows.remote_hits, static_cast<std::uint64_t>(inspections)},
      MPI_UINT64_T);
  if (rank == 0)
    fmt::print(
        "soak: {} ranks, {} objects, strategy {}: {} objects moved, {} tasks run ({} stolen, {} read-only on "
        "copies), {} shadow hits, {} inspections\ninvariants held after every one of {} epochs\n",
        ranks, objects, strategy, moved, totals[0], totals[1], totals[2], totals[3], totals[4], epochs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  try {
    CLI::App app{"penumbra-soak: rebalance epochs under a random workload, every invariant checked after each"};
    int epochs = 1000, objects = 128;
    std::string strategy = "greedy";
    std::uint64_t seed = 1;
    app.add_option("--epochs", epochs, "rebalance epochs (one per step)")->check(CLI::Range(1, 10'000'000));
    app.add_option("--objects", objects, "objects in all")->check(CLI::Range(1, 1'000'000));
    app.add_option("--strategy", strategy, "rebalancing strategy");
    app.add_option("--seed", seed, "seed of the workload");
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      const int code = rank == 0 ? app.exit(error) : 2;
      MPI_Finalize();
      return code == 0 ? 0 : 2;
    }
    status = run(epochs, objects, strategy, seed);
  } catch (const std::exception& error) {
    // Some checks are local to a rank (a torn ledger at its owner): abort the job rather than leave the other
    // ranks waiting in the next collective.
    std::fprintf(stderr, "penumbra-soak: rank %d: %s\n", rank, error.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}
