// penumbra-bench-shadow: what a read costs from each kind of copy, against the raw operations under it.
//
//   mpiexec -n N build/bin/penumbra-bench-shadow [--quick] [--json FILE]      (N >= 2; 4 gives every column)
//
// Rank 0 owns the objects. Every other rank reads them, then a shadow epoch gives copies to the k = 2 heaviest
// readers (ranks 1 and 2). For 8 B, 1 KiB and 64 KiB trivially copyable objects, in one run:
//   memcpy        copying the same bytes in local memory (the floor for a local copy)
//   shadow hit    rt.read<T>(id) on a rank holding a shadow (seqlock copy out of its window); the id is made
//                 once from the name, as a hot loop would (a name is hashed on every call)
//   handle hit    h.read() through a ReadHandle (rt.read_handle<T>(id), made once) on the same rank: the same
//                 copy, with what read<T> looks up on every call cached in the handle
//   nearest copy  rt.read<T>() on a rank with no copy (N >= 4): a metadata lookup (cached) and a one-sided get
//                 of the nearest holder's slot, validated (version, checksum); -1 unless every read took it
//   raw MPI_Get   MPI_Get + MPI_Win_flush of the same bytes from an MPI_Win_allocate window (the floor the
//                 targets were set against)
//   raw MPI_Rget  MPI_Rget + MPI_Wait of the same bytes: completed by request, as the nearest-copy read's gets
//                 are (a get needs only local completion; a flush also enters the progress engine, which
//                 yields the core on an oversubscribed node), so the one-sided floor of that read
// Medians over repetitions (memcpy, shadow hit and handle hit timed in turn; nearest copy, raw MPI_Get and raw
// MPI_Rget too); the table adds shadow hit / memcpy, handle hit / memcpy, nearest copy / raw MPI_Get and nearest
// copy / raw MPI_Rget. A second table times the three on the holder in loops of 256 reads (per read: no 10 ns
// clock step in the figure, and the handle's pacing included).
//
// Then an owner's answer: rank 1 reads an object of rank 0 that has no copy anywhere, so rank 0's CPU answers,
// while the other ranks wait in a barrier. Rank 0 is busy in short object calls (reads of its own objects, as
// a Zipf owner is): with the request doorbell (docs/design.md) it sees the request at its next call, without it
// at its next paced probe. Or rank 0 computes outside Penumbra in 1 ms chunks with one call between them:
// without a progress thread the request waits for the chunk's end, with one (`progress_thread`) the thread
// answers. All four in the same run, alternated: medians over the rounds.
//
// Then the Zipf workload (shadow_zipf.hpp) in modes none / full / adaptive for s in {0.6, 0.99, 1.2} and write
// fractions {0, 0.05, 0.3}: reads/s, mean and p99 read latency, replica, resident and update bytes, staleness
// at read (table), and metadata lookups per second by the reads (JSON lookups_per_s, lookup_gets_per_s). Last,
// metadata lookups per second in isolation, sharded against centralized, at 2, 4 and 8 ranks up to N
// (metadata_lookups.hpp; JSON "metadata").
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <string_view>
#include <tuple>
#include <nlohmann/json.hpp>
#include <penumbra/penumbra.hpp>

#include "bench_common.hpp"
#include "mpi/communicator.hpp"
#include "mpi/window.hpp"
#include "metadata_lookups.hpp"
#include "shadow_zipf.hpp"

namespace {

using penumbra::bench::median_us;

template <std::size_t N>
struct Blob {
  std::array<std::byte, N> bytes;
};

struct LatencyRow {
  std::size_t bytes = 0;
  double memcpy_us = -1, shadow_hit_us = -1, handle_hit_us = -1, remote_read_us = -1, raw_get_us = -1,
         raw_rget_us = -1;
  // Per read in loops of kLoopReads (one clock pair per loop, so no 10 ns clock step in the figure; the
  // handle's pacing, one runtime entry per ~2 us of hits, included).
  double memcpy_loop_us = -1, shadow_loop_us = -1, handle_loop_us = -1;
};

// The figure measured on `rank`, known to every rank afterwards.
double from_rank(const penumbra::mpi::Communicator& comm, int rank, double mine) {
  double value = comm.rank() == rank ? mine : -1.0;
  MPI_Bcast(&value, 1, MPI_DOUBLE, rank, comm.get());
  return value;
}

// Source and destination of the memcpy baseline, 2 KiB apart modulo 4 KiB: two separate allocations of
// 64 KiB land 16 bytes apart modulo 4 KiB, where every load aliases the store just before it (4K aliasing)
// and glibc's memcpy ran 10-20x slower than a copy out of a shadow slot of the same size.
struct CopyBuffers {
  explicit CopyBuffers(std::size_t bytes) : storage(2 * bytes + 4 * 4096), size(bytes) {}  // alignment slack
  std::byte* source() { return align(storage.data()); }
  std::byte* sink() { return align(storage.data() + size + 4096) + 2048; }
  static std::byte* align(std::byte* p) {
    return reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(p) + 4095) & ~std::uintptr_t{4095});
  }
  std::vector<std::byte> storage;
  std::size_t size;
};

constexpr int kLoopReads = 256;

template <class Body>
auto in_a_loop(Body& body) {
  return [&body] {
    for (int i = 0; i < kLoopReads; ++i) body();
  };
}

template <std::size_t N>
LatencyRow measure_latency(penumbra::Runtime& rt, const penumbra::mpi::Communicator& comm, int repetitions) {
  const std::string name_text = penumbra::bench::name_homed_at(rt, 0, fmt::format("latency/{}/", N));
  // Reads go through the id, made once, as a hot loop would: a name is hashed on every call.
  const penumbra::ObjectId name = penumbra::ObjectId::from_name(name_text);
  if (rt.rank() == 0) {
    auto blob = std::make_unique<Blob<N>>();
    std::memset(blob->bytes.data(), 7, N);
    rt.create(name_text, *blob);
  }
  rt.barrier();
  if (rt.rank() != 0)  // readers make the object hot; ranks 1 and 2 read most, so they get the k = 2 copies
    for (int i = 0; i < (rt.rank() <= 2 ? 200 : 50); ++i) rt.read<Blob<N>>(name);
  rt.barrier();
  rt.update_shadows();

  LatencyRow row{.bytes = N};
  const int holder = 1, non_holder = rt.size() >= 4 ? rt.size() - 1 : -1;
  // The raw window: every rank exposes N bytes; gets go to the holder rank, like the nearest-copy reads.
  auto window = penumbra::mpi::Window::allocate(comm, N);
  penumbra::mpi::LockAllEpoch epoch(window);
  std::vector<std::byte> buffer(N);
  auto raw_get = [&] {
    window.get(buffer, holder, 0);
    window.flush(holder);
  };
  auto raw_rget = [&] {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Rget(buffer.data(), static_cast<int>(N), MPI_BYTE, holder, 0, static_cast<int>(N), MPI_BYTE, window.get(),
             &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  };
  auto read_once = [&] {
    const auto value = rt.read<Blob<N>>(name);
    asm volatile("" : : "r"(&value) : "memory");  // keep the read
  };
  rt.barrier();
  // One rank measures at a time; the others wait in rt.barrier(), which serves the owner's requests. Each
  // rank's pairs are timed alternately, so both figures of a ratio see the same competition for the cores.
  double mine = -1, mine_baseline = -1, mine_handle = -1;
  if (rt.rank() == holder) {
    CopyBuffers copy(N);
    std::memset(copy.source(), 3, N);
    penumbra::ReadHandle<Blob<N>> handle = rt.read_handle<Blob<N>>(name);
    const std::uint64_t hits_before = rt.shadow_stats().local_hits;
    auto copy_once = [&] {
      std::memcpy(copy.sink(), copy.source(), N);
      asm volatile("" : : "r"(copy.sink()) : "memory");  // keep the copy
    };
    auto handle_once = [&] {
      const auto value = handle.read();
      asm volatile("" : : "r"(&value) : "memory");
    };
    const auto medians = penumbra::bench::interleaved_medians_us(repetitions, read_once, copy_once, handle_once);
    std::tie(mine, mine_baseline, mine_handle) = std::tuple(medians[0], medians[1], medians[2]);
    const int loops = std::max(20, repetitions / 20);
    const auto in_loops = penumbra::bench::interleaved_medians_us(loops, in_a_loop(read_once), in_a_loop(copy_once),
                                                                  in_a_loop(handle_once));
    // Both kinds of read must have been local hits (a dash otherwise).
    if (rt.shadow_stats().local_hits < hits_before + 2 * static_cast<std::uint64_t>(repetitions + loops * kLoopReads))
      mine = mine_handle = -1;
    else
      std::tie(row.shadow_loop_us, row.memcpy_loop_us, row.handle_loop_us) =
          std::tuple(in_loops[0] / kLoopReads, in_loops[1] / kLoopReads, in_loops[2] / kLoopReads);
  }
  rt.barrier();
  row.shadow_hit_us = from_rank(comm, holder, mine);
  row.memcpy_us = from_rank(comm, holder, mine_baseline);
  row.handle_hit_us = from_rank(comm, holder, mine_handle);
  for (double* figure : {&row.shadow_loop_us, &row.memcpy_loop_us, &row.handle_loop_us})
    *figure = from_rank(comm, holder, *figure);
  const int get_rank = non_holder > 0 ? non_holder : 0;  // with fewer than 4 ranks: the owner gets from the holder
  mine = mine_baseline = -1;
  double mine_rget = -1;
  if (rt.rank() == non_holder) {
    const std::uint64_t remote_before = rt.shadow_stats().remote_hits;
    const auto medians = penumbra::bench::interleaved_medians_us(repetitions, read_once, raw_get, raw_rget);
    std::tie(mine, mine_baseline, mine_rget) = std::tuple(medians[0], medians[1], medians[2]);
    // Only one-sided reads of a copy count as nearest-copy reads (not the owner's answers).
    if (rt.shadow_stats().remote_hits < remote_before + static_cast<std::uint64_t>(repetitions)) mine = -1;
  } else if (non_holder < 0 && rt.rank() == get_rank) {
    std::tie(mine_baseline, mine_rget) = penumbra::bench::paired_median_us(repetitions, raw_get, raw_rget);
  }
  rt.barrier();
  row.remote_read_us = non_holder > 0 ? from_rank(comm, non_holder, mine) : -1;
  row.raw_get_us = from_rank(comm, get_rank, mine_baseline);
  row.raw_rget_us = from_rank(comm, get_rank, mine_rget);
  return row;
}

std::string cell(double us) { return us < 0 ? "-" : fmt::format("{:.3f}", us); }
std::string ratio(double a, double b) { return a < 0 || b <= 0 ? "-" : fmt::format("{:.2f}x", a / b); }

// Two references for the budgeted mode, as rates of operations relative to `full`, from this run's own costs:
// a local read at `full`'s mean read (every read is local there), a one-sided read and an owner's answer at the
// budgeted run's means over its measured epochs (ShadowStats), a write at the budgeted run's mean write.
// - ceiling: no placement within the budget serves more than best_local_share of the reads locally,
//   and no other read costs less than a one-sided get, so no placement reads faster than this. A bound.
// - best split: the best placement of the policy's kind (best_split_placement): x local copies per rank, home
//   copies in the rest. Not a bound; it tells whether the policy's choices are near the best of their kind.
// They tell how far the policy is from what its budget allows, and whether a target relative to `full` can be
// reached at that budget at all.
struct BudgetReferences {
  double best_local_share = 0;
  double ceiling_mean_read_us = 0, ceiling_rate_vs_full = 0;
  penumbra::bench::SplitPlacement split;
  double split_rate_vs_full = 0;
};
BudgetReferences references_of(const penumbra::bench::ZipfRow& budgeted, const penumbra::bench::ZipfRow& full) {
  const penumbra::bench::ReadCosts costs{.local = full.mean_read_us,
                                         .one_sided = std::max(budgeted.one_sided_read_us, full.mean_read_us),
                                         .owner = std::max(budgeted.owner_read_us, full.mean_read_us)};
  const double w = budgeted.write_frac;
  const double full_op_us = (1 - w) * full.mean_read_us + w * full.mean_write_us;
  const auto rate_vs_full = [&](double mean_read_us) {
    const double op_us = (1 - w) * mean_read_us + w * budgeted.mean_write_us;
    return op_us > 0 ? full_op_us / op_us : 0;
  };
  BudgetReferences references;
  references.best_local_share =
      penumbra::bench::best_local_share(budgeted.probability, budgeted.owner, budgeted.ranks, budgeted.budget_slots);
  references.ceiling_mean_read_us =
      references.best_local_share * costs.local + (1.0 - references.best_local_share) * costs.one_sided;
  references.ceiling_rate_vs_full = rate_vs_full(references.ceiling_mean_read_us);
  references.split = penumbra::bench::best_split_placement(budgeted.probability, budgeted.owner, budgeted.ranks,
                                                           budgeted.budget_slots, costs, budgeted.resident_slots);
  references.split_rate_vs_full = rate_vs_full(references.split.mean_read_us);
  return references;
}
void add_references(nlohmann::json& row, const penumbra::bench::ZipfRow& budgeted,
                    const BudgetReferences& references) {
  row["one_sided_read_us"] = budgeted.one_sided_read_us;
  row["owner_read_us"] = budgeted.owner_read_us;
  row["best_local_share"] = references.best_local_share;
  row["ceiling_mean_read_us"] = references.ceiling_mean_read_us;
  row["ceiling_rate_vs_full"] = references.ceiling_rate_vs_full;
  row["best_split_local_slots"] = references.split.local_slots;
  row["best_split_mean_read_us"] = references.split.mean_read_us;
  row["best_split_rate_vs_full"] = references.split_rate_vs_full;
}
void print_references(const penumbra::bench::ZipfRow& budgeted, const BudgetReferences& references) {
  fmt::print("{:>25}  {}: reads cost {:.1f} us one-sided, {:.1f} us from the owner; ceiling {:.0f}% local, "
             "mean read >= {:.2f} us, <= {:.2f}x full;\n{:>25}  best split {} local + {} home slots per rank (+ resident home copies): {:.0f}% "
             "local, mean read {:.2f} us, {:.2f}x full\n",
             "", budgeted.mode, budgeted.one_sided_read_us, budgeted.owner_read_us, 100 * references.best_local_share,
             references.ceiling_mean_read_us, references.ceiling_rate_vs_full, "", references.split.local_slots,
             budgeted.budget_slots - references.split.local_slots, 100 * references.split.local_share,
             references.split.mean_read_us, references.split_rate_vs_full);
}

// An owner's answer to a read of an object without copies; the figure of rank 1 (mean and median per read),
// known to every rank. Collective over the runtime's ranks. The owner is either busy in short object calls
// (reads of its own objects, as a Zipf owner is), or computes outside Penumbra in chunks of `compute_us` with
// one object call between chunks (an application's compute phase), with or without a progress thread.
struct OwnerSetting {
  std::string label;
  bool doorbell = true;
  bool progress_thread = false;
  double compute_us = 0;  // 0: busy in object calls
};

struct OwnerAnswer {
  double mean_us = 0, median_us = 0;
};

OwnerAnswer measure_owner_answer(const OwnerSetting& setting, int reads) {
  penumbra::Config config;
  config.shadow.enabled = false;  // no copy anywhere: every read of rank 0's object is answered by rank 0
  config.request_doorbell = setting.doorbell;
  config.progress_thread = setting.progress_thread;
  penumbra::Runtime rt{MPI_COMM_WORLD, config};
  const std::string value = penumbra::bench::name_homed_at(rt, 0, "owner-answer/value/");
  const std::string stop = penumbra::bench::name_homed_at(rt, 0, "owner-answer/stop/");
  if (rt.rank() == 0) {
    rt.create(value, Blob<8>{});
    rt.create(stop, 0);
  }
  rt.barrier();
  std::vector<double> samples;
  if (rt.rank() == 0) {
    const auto chunk = std::chrono::duration<double, std::micro>(setting.compute_us);
    while (rt.read<int>(stop).value == 0) {  // until rank 1 is done: compute (or not), then one object call
      const auto until = std::chrono::steady_clock::now() + chunk;
      while (std::chrono::steady_clock::now() < until) {
      }
    }
  } else if (rt.rank() == 1) {
    for (int i = 0; i < reads; ++i) {
      const auto start = std::chrono::steady_clock::now();
      (void)rt.read<Blob<8>>(value);
      samples.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    rt.write(stop, 1);
  }
  rt.barrier();
  OwnerAnswer answer;
  if (!samples.empty()) {
    double total = 0;
    for (double us : samples) total += us;
    answer.mean_us = total / static_cast<double>(samples.size());
    answer.median_us = penumbra::bench::median(std::move(samples));
  }
  MPI_Bcast(&answer.mean_us, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD);
  MPI_Bcast(&answer.median_us, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD);
  return answer;
}

// Every setting in turn, `rounds` times; per setting the round of median mean. The progress-thread rows need
// MPI_THREAD_MULTIPLE, which main() asks for.
nlohmann::json run_owner_answer_table(bool quick, bool print) {
  const int rounds = 3, reads = quick ? 300 : 2000;
  constexpr double kComputeUs = 1000;
  const std::vector<OwnerSetting> settings = {
      {"doorbell", true, false, 0},
      {"paced probes only", false, false, 0},
      {"computing, no thread", true, false, kComputeUs},
      {"computing, thread", true, true, kComputeUs},
  };
  std::vector<std::vector<OwnerAnswer>> runs(settings.size());
  for (int round = 0; round < rounds; ++round)
    for (std::size_t k = 0; k < settings.size(); ++k) runs[k].push_back(measure_owner_answer(settings[k], reads));
  std::vector<OwnerAnswer> chosen;
  for (auto& of_setting : runs) {
    std::ranges::sort(of_setting, {}, &OwnerAnswer::mean_us);
    chosen.push_back(of_setting[of_setting.size() / 2]);
  }
  if (print) {
    fmt::print(
        "\nOwner's answer (rank 1 reads an 8 B object of rank 0, no copies; rank 0 busy in its own object calls, or "
        "computing outside Penumbra in {:.0f} us chunks), {} reads, median of {} rounds\n{:>22} {:>10} {:>10}\n",
        kComputeUs, reads, rounds, "", "mean us", "median us");
    for (std::size_t k = 0; k < settings.size(); ++k)
      fmt::print("{:>22} {:>10.1f} {:>10.1f}\n", settings[k].label, chosen[k].mean_us, chosen[k].median_us);
    fmt::print("{:>22} {:>9.2f}x {:>9.2f}x\n{:>22} {:>9.2f}x {:>9.2f}x\n", "doorbell / probes",
               chosen[0].mean_us / chosen[1].mean_us, chosen[0].median_us / chosen[1].median_us,
               "thread / no thread", chosen[3].mean_us / chosen[2].mean_us, chosen[3].median_us / chosen[2].median_us);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t k = 0; k < settings.size(); ++k)
    rows.push_back({{"setting", settings[k].label},
                    {"doorbell", settings[k].doorbell},
                    {"progress_thread", settings[k].progress_thread},
                    {"owner_computes_us", settings[k].compute_us},
                    {"mean_us", chosen[k].mean_us},
                    {"median_us", chosen[k].median_us}});
  return rows;
}

// Every (s, w) of the issue in the four modes, one Runtime per run; prints the table on rank 0. With `repeat`
// > 1 the modes run in turn `repeat` times (so that every mode sees the same drift in the machine's load) and
// each mode's row is its run of median read rate: on 4 ranks sharing 2 cores one run's rates vary by up to 2x.
nlohmann::json run_zipf_table(bool quick, int repeat, bool print) {
  penumbra::bench::ZipfParams params;
  params.objects = quick ? 256 : 1024;
  params.ops_per_epoch = quick ? 1000 : 4000;
  params.measured_epochs = quick ? 2 : 4;
  if (print)
    fmt::print(
        "\nZipf workload: {} objects of {} B, {} operations per rank per epoch, {} warm + {} measured epochs, "
        "median of {} run(s) per mode\n"
        "{:>5} {:>5} {:>13} {:>11} {:>9} {:>9} {:>7} {:>13} {:>12} {:>12} {:>9} {:>9} {:>11} {:>10} {:>10}\n",
        params.objects, params.object_bytes, params.ops_per_epoch, params.warm_epochs, params.measured_epochs, repeat,
        "s", "w",
        "mode", "reads/s", "mean us", "p99 us", "local", "replica B", "resident B", "update B", "stale p50", "stale p99", "lookups/s", "vs none",
        "vs full");
  nlohmann::json rows = nlohmann::json::array();
  for (double s : {0.6, 0.99, 1.2})
    for (double w : {0.0, 0.05, 0.3}) {
      std::map<std::string, std::vector<penumbra::bench::ZipfRow>> runs;
      for (int round = 0; round < repeat; ++round)
        for (const char* mode : {"none", "full", "adaptive", "adaptive-25%"})
          runs[mode].push_back(penumbra::bench::run_zipf(mode, s, w, params));
      if (!print) continue;
      // adaptive-25%'s rate against none's and full's inside each round, before the medians are picked: their
      // spread is what one run's ratio is worth on a shared or oversubscribed machine.
      std::vector<double> vs_none_per_round, vs_full_per_round;
      for (int round = 0; round < repeat; ++round) {
        const double budgeted_rate = runs["adaptive-25%"][round].reads_per_s;
        vs_none_per_round.push_back(budgeted_rate / runs["none"][round].reads_per_s);
        vs_full_per_round.push_back(budgeted_rate / runs["full"][round].reads_per_s);
      }
      std::map<std::string, penumbra::bench::ZipfRow> by_mode;
      for (auto& [mode, of_mode] : runs) {
        std::ranges::sort(of_mode, {}, &penumbra::bench::ZipfRow::reads_per_s);
        by_mode[mode] = of_mode[of_mode.size() / 2];
      }
      const penumbra::bench::ZipfRow& budgeted = by_mode["adaptive-25%"];
      const BudgetReferences references = references_of(budgeted, by_mode["full"]);
      for (const char* mode : {"none", "full", "adaptive", "adaptive-25%"}) {
        const penumbra::bench::ZipfRow& row = by_mode[mode];
        fmt::print(
            "{:>5} {:>5} {:>13} {:>11.0f} {:>9.2f} {:>9.2f} {:>6.0f}% {:>13} {:>12} {:>12} {:>9.0f} {:>9.0f} {:>11.0f} {:>10} {:>10}\n",
            s, w, mode, row.reads_per_s, row.mean_read_us, row.p99_read_us, 100 * row.local_share, row.replica_bytes,
            row.resident_bytes, row.update_bytes, row.p50_staleness_versions, row.p99_staleness_versions, row.lookups_per_s,
            ratio(row.reads_per_s, by_mode["none"].reads_per_s), ratio(row.reads_per_s, by_mode["full"].reads_per_s));
        rows.push_back({{"s", s},
                        {"write_frac", w},
                        {"mode", mode},
                        {"reads_per_s", row.reads_per_s},
                        {"mean_read_us", row.mean_read_us},
                        {"p99_read_us", row.p99_read_us},
                        {"mean_write_us", row.mean_write_us},
                        {"local_share", row.local_share},
                        {"replica_bytes", row.replica_bytes},
                        {"resident_bytes", row.resident_bytes},
                        {"lookups_per_s", row.lookups_per_s},
                        {"lookup_gets_per_s", row.lookup_gets_per_s},
                        {"update_bytes", row.update_bytes},
                        {"p50_staleness_versions", row.p50_staleness_versions},
                        {"p99_staleness_versions", row.p99_staleness_versions}});
        if (row.budget_slots > 0) add_references(rows.back(), row, references);
        if (repeat > 1 && std::string_view(mode) == "adaptive-25%") {
          rows.back()["vs_none_per_round"] = vs_none_per_round;
          rows.back()["vs_full_per_round"] = vs_full_per_round;
        }
      }
      print_references(budgeted, references);
      if (repeat > 1)
        fmt::print("{:>27}adaptive-25% round by round: {:.2f} x none, {:.2f} x full\n", "",
                   fmt::join(vs_none_per_round, " "), fmt::join(vs_full_per_round, " "));
    }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Shadow read latency against memcpy and raw MPI_Get"};
  bool quick = false;
  std::string json_path;
  app.add_flag("--quick", quick, "fewer repetitions (seconds instead of tens of seconds)");
  app.add_option("--json", json_path, "write the figures as JSON to this file");
  int zipf_repeat = 1;
  app.add_option("--repeat", zipf_repeat, "Zipf workload: run the modes in turn this many times, report each mode's median run")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int status = 0;
  try {
    auto comm = penumbra::mpi::Communicator::duplicate(MPI_COMM_WORLD);
    if (comm.size() < 2) throw penumbra::InvalidArgument("penumbra-bench-shadow needs at least 2 ranks (mpiexec -n 4)");
    penumbra::Config config;
    config.shadow.enabled = true;
    config.shadow.max_copies = 2;
    // The latency table measures the read paths on a fixed layout (copies on ranks 1 and 2, none on the last
    // rank): placement from the read counts alone, not from timings that vary from run to run.
    config.shadow.observed_costs = false;
    penumbra::Runtime rt{MPI_COMM_WORLD, config};
    const int repetitions = quick ? 200 : 2000;
    nlohmann::json report_json;
    std::vector<LatencyRow> rows = {measure_latency<8>(rt, comm, repetitions),
                                    measure_latency<1024>(rt, comm, repetitions),
                                    measure_latency<65536>(rt, comm, repetitions)};
    if (rt.rank() == 0) {
      fmt::print("{} ranks, medians in microseconds (oversubscribed ranks make absolute times noise; read ratios)\n",
                 rt.size());
      fmt::print("{:>8} {:>9} {:>11} {:>11} {:>11} {:>11} {:>13} {:>15} {:>15} {:>12} {:>16}\n", "bytes", "memcpy",
                 "shadow hit", "handle hit", "nearest", "raw MPI_Get", "hit/memcpy", "handle/memcpy", "nearest/MPI_Get",
                 "raw MPI_Rget", "nearest/MPI_Rget");
      nlohmann::json latency = nlohmann::json::array();
      for (const LatencyRow& row : rows) {
        fmt::print("{:>8} {:>9} {:>11} {:>11} {:>11} {:>11} {:>13} {:>15} {:>15} {:>12} {:>16}\n", row.bytes,
                   cell(row.memcpy_us), cell(row.shadow_hit_us), cell(row.handle_hit_us), cell(row.remote_read_us),
                   cell(row.raw_get_us), ratio(row.shadow_hit_us, row.memcpy_us), ratio(row.handle_hit_us, row.memcpy_us),
                   ratio(row.remote_read_us, row.raw_get_us), cell(row.raw_rget_us),
                   ratio(row.remote_read_us, row.raw_rget_us));
        auto value_or_null = [](double us) { return us < 0 ? nlohmann::json(nullptr) : nlohmann::json(us); };
        latency.push_back({{"size", row.bytes},
                           {"memcpy_us", value_or_null(row.memcpy_us)},
                           {"shadow_hit_us", value_or_null(row.shadow_hit_us)},
                           {"handle_hit_us", value_or_null(row.handle_hit_us)},
                           {"memcpy_loop_us", value_or_null(row.memcpy_loop_us)},
                           {"shadow_hit_loop_us", value_or_null(row.shadow_loop_us)},
                           {"handle_hit_loop_us", value_or_null(row.handle_loop_us)},
                           {"remote_read_us", value_or_null(row.remote_read_us)},
                           {"raw_get_us", value_or_null(row.raw_get_us)},
                           {"raw_rget_us", value_or_null(row.raw_rget_us)}});
      }
      fmt::print("per read in loops of {} reads, nanoseconds (no clock step; pacing included)\n", kLoopReads);
      fmt::print("{:>8} {:>9} {:>11} {:>11} {:>13} {:>15}\n", "bytes", "memcpy", "shadow hit", "handle hit",
                 "hit/memcpy", "handle/memcpy");
      const auto nanoseconds = [](double us) { return us < 0 ? std::string("-") : fmt::format("{:.1f}", 1000 * us); };
      for (const LatencyRow& row : rows)
        fmt::print("{:>8} {:>9} {:>11} {:>11} {:>13} {:>15}\n", row.bytes, nanoseconds(row.memcpy_loop_us),
                   nanoseconds(row.shadow_loop_us), nanoseconds(row.handle_loop_us),
                   ratio(row.shadow_loop_us, row.memcpy_loop_us), ratio(row.handle_loop_us, row.memcpy_loop_us));
      report_json["ranks"] = rt.size();
      report_json["latency"] = latency;
    }
    rt.barrier();
    report_json["owner_answer"] = run_owner_answer_table(quick, rt.rank() == 0);
    report_json["zipf"] = run_zipf_table(quick, zipf_repeat, rt.rank() == 0);
    // Metadata lookups, sharded against centralized, at 2, 4 and 8 ranks up to this job's size: the section
    // penumbra-bench-metadata prints alone (metadata_lookups.hpp), on services of its own beside the Runtime.
    const std::vector<penumbra::bench::MetadataRow> metadata_rows =
        penumbra::bench::measure_metadata_section(comm, quick);
    if (rt.rank() == 0) {
      fmt::print("\n");
      report_json["metadata"] = penumbra::bench::print_metadata_section(metadata_rows, comm.size());
    }
    if (rt.rank() == 0 && !json_path.empty()) {
      std::ofstream out(json_path);
      out << report_json.dump(2) << "\n";
      if (!out) throw penumbra::InvalidArgument("cannot write --json file '" + json_path + "'");
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "penumbra-bench-shadow: {}\n", error.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
