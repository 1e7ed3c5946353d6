#pragma once
// The Zipf part of penumbra-bench-shadow: every rank reads objects chosen by a Zipf(s) law (the same hot set
// for all ranks, as with a global parameter or a popular key) and writes a fraction w of its operations.
// One run per mode on the same operation sequence (seeded per rank):
//   none      no shadows: every read of another rank's object asks its owner
//   full      every rank holds a copy of every object (shadow.full_replication, budget for all of them)
//   adaptive  Penumbra's policy decides which objects get copies, and where (up to every reader)
//   adaptive-25%  the same policy with a shadow budget per rank of a quarter of what `full` holds there: what
//             the policy keeps when memory is the limit. Home copies that are their object's only copy on the
//             owner (shadow.resident_bytes) are outside the budget and are reported apart, as resident bytes;
//             home copies that are second copies count in the budget and as replica bytes.
// Shadow epochs (rt.update_shadows()) separate windows of `ops_per_epoch` operations per rank; the first
// `warm_epochs` let the policy see the reads and are not measured.
//
// Staleness at read: each write logs (object, version, time it returned); each read logs (object, version
// read, time it began). A read is k versions behind when k newer versions had returned before it began.
// Times are CLOCK_MONOTONIC, shared by every process of one host (this benchmark's setting); across hosts the
// figure would need synchronised clocks.
#include <mpi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <penumbra/penumbra.hpp>

#include "shadow/slot_layout.hpp"
#include "zipf_references.hpp"
#include <random>
#include <string>
#include <vector>

namespace penumbra::bench {

struct ZipfParams {
  int objects = 256;
  std::size_t object_bytes = 64;
  int ops_per_epoch = 2000;
  int warm_epochs = 1;
  int measured_epochs = 2;
  std::uint64_t seed = 20261125;
};

struct ZipfRow {
  double s = 0, write_frac = 0;
  std::string mode;
  double reads_per_s = 0, mean_read_us = 0, p99_read_us = 0;
  double mean_write_us = 0;
  /// Mean time of a one-sided read of another rank's copy in the measured epochs (ShadowStats); 0 = none.
  double one_sided_read_us = 0;
  double owner_read_us = 0;  ///< mean time of a read answered by the owner, the same way; 0 = none
  std::uint64_t replica_bytes = 0, update_bytes = 0;
  /// Window bytes of resident home copies, all ranks: objects' storage on their owners, not replicas.
  std::uint64_t resident_bytes = 0;
  /// Metadata lookups by the measured reads, all ranks, per second of the slowest rank: answered from the
  /// cache, and one-sided gets to the homes (ShadowStats::lookup_cache_hits, lookup_gets).
  double lookups_per_s = 0, lookup_gets_per_s = 0;
  double p50_staleness_versions = 0, p99_staleness_versions = 0;
  double local_share = 0;  ///< reads served by this rank's own object or its shadow
  /// Budgeted modes (budget_slots > 0): who owns what, the read law and the budget in slots per rank, for the
  /// reference placements of the table (bench/zipf_references.hpp).
  std::vector<double> probability;
  std::vector<int> owner;
  std::size_t budget_slots = 0;
  std::size_t resident_slots = 0;  ///< per rank, outside the budget (shadow.resident_bytes)
  int ranks = 0;
};

/// Inverse-CDF sampler of ranks 0..n-1 with P(i) proportional to 1 / (i + 1)^s.
class ZipfSampler {
 public:
  ZipfSampler(int n, double s) : cdf_(static_cast<std::size_t>(n)) {
    double sum = 0;
    for (int i = 0; i < n; ++i) cdf_[static_cast<std::size_t>(i)] = sum += 1.0 / std::pow(i + 1.0, s);
    for (double& c : cdf_) c /= sum;
  }
  /// P(i): the share of reads that go to object i.
  double probability(int i) const {
    const auto at = static_cast<std::size_t>(i);
    return cdf_[at] - (at == 0 ? 0.0 : cdf_[at - 1]);
  }
  template <class Rng>
  int operator()(Rng& rng) const {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    return static_cast<int>(std::min<std::ptrdiff_t>(it - cdf_.begin(), static_cast<std::ptrdiff_t>(cdf_.size()) - 1));
  }

 private:
  std::vector<double> cdf_;
};

struct ZipfBlob {
  std::array<std::byte, 64> bytes;
};

namespace zipf_detail {

struct Event {  // one read (version read, start time) or one write (version made, return time)
  std::int64_t object;
  std::int64_t version;
  std::int64_t time_ns;
};

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class T>
std::vector<T> gather_to_root(MPI_Comm comm, const std::vector<T>& mine) {
  int size = 0, rank = 0;
  MPI_Comm_size(comm, &size);
  MPI_Comm_rank(comm, &rank);
  const int bytes = static_cast<int>(mine.size() * sizeof(T));
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  int total = 0;
  for (int r = 0; r < size; ++r)
    offsets[static_cast<std::size_t>(r)] = std::exchange(total, total + counts[static_cast<std::size_t>(r)]);
  std::vector<T> all(rank == 0 ? static_cast<std::size_t>(total) / sizeof(T) : 0);
  MPI_Gatherv(mine.data(), bytes, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE, 0, comm);
  return all;
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::ranges::sort(values);
  const auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1;
  return values[std::min(index, values.size() - 1)];
}

// Versions behind of each read: newer versions whose write had returned before the read began.
inline std::vector<double> staleness(std::vector<Event> writes, const std::vector<Event>& reads) {
  std::ranges::sort(writes, [](const Event& a, const Event& b) {
    return std::tie(a.object, a.time_ns) < std::tie(b.object, b.time_ns);
  });
  std::vector<double> behind;
  behind.reserve(reads.size());
  for (const Event& read : reads) {
    auto first = std::ranges::lower_bound(writes, read.object, {}, &Event::object);
    std::int64_t latest = 0;
    for (auto it = first; it != writes.end() && it->object == read.object && it->time_ns < read.time_ns; ++it)
      latest = std::max(latest, it->version);
    behind.push_back(static_cast<double>(std::max<std::int64_t>(0, latest - read.version)));
  }
  return behind;
}

}  // namespace zipf_detail

/// Runs one mode of the Zipf workload; collective over MPI_COMM_WORLD. The row is complete on rank 0.
inline ZipfRow run_zipf(const std::string& mode, double s, double write_frac, const ZipfParams& params) {
  using namespace zipf_detail;
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // PENUMBRA_* variables apply to what the benchmark does not set itself (request_doorbell, for an A/B run).
  Config config = Config::load();
  config.epoch_interval = 1'000'000'000;  // shadow epochs come from the explicit update_shadows() calls
  config.shadow.enabled = mode != "none";
  config.shadow.full_replication = mode == "full";
  config.shadow.max_copies = std::max(1, size - 1);  // full and adaptive alike may copy to every reader
  // Room for every object on every rank (value + slot header), so `full` is never cut short by the budget.
  config.shadow.budget_bytes = static_cast<std::int64_t>(params.objects) * 4 * 1024;
  const auto slot_bytes = static_cast<std::int64_t>(shadow::slot_bytes(shadow::payload_capacity_for(params.object_bytes)));
  const bool budgeted = mode == "adaptive-25%";
  if (budgeted) {
    // `full` holds a slot for each object it does not own: objects x (P - 1) / P slots per rank.
    const double full_bytes =
        static_cast<double>(params.objects) * (size - 1) / size * static_cast<double>(slot_bytes);
    config.shadow.budget_bytes = std::max<std::int64_t>(1, static_cast<std::int64_t>(full_bytes / 4));
  }
  // The policy weighs measured one-sided times (put + flush per holder per write) instead of a dedicated-core
  // node's, which matters on an oversubscribed machine; every mode pays the same probe at start-up.
  config.latency_probe = true;
  Runtime rt{MPI_COMM_WORLD, config};

  std::vector<std::string> names;
  for (int i = 0; i < params.objects; ++i) names.push_back("zipf/" + std::to_string(i));
  ZipfBlob blob{};
  std::memset(blob.bytes.data(), 1, blob.bytes.size());
  for (const std::string& name : names)
    if (rt.owner_of(name) == rt.rank()) rt.create(name, blob);
  rt.barrier();

  const ZipfSampler sampler(params.objects, s);
  std::mt19937_64 rng(params.seed * 7919 + static_cast<std::uint64_t>(rt.rank()));
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<double> latencies;
  double write_us = 0;  // summed over this rank's measured writes
  double one_sided_us = 0;  // summed over its measured one-sided reads of other ranks' copies
  std::uint64_t one_sided_reads = 0;
  double owner_us = 0;  // and over its measured reads answered by the owner
  std::uint64_t owner_reads = 0;
  std::vector<Event> read_log, write_log;
  double measured_s = 0;
  std::uint64_t local_reads = 0, reads = 0;
  std::uint64_t lookups = 0, lookup_gets = 0;  // in the measured epochs
  const ShadowStats before_any = rt.shadow_stats();
  for (int epoch = 0; epoch < params.warm_epochs + params.measured_epochs; ++epoch) {
    const bool measured = epoch >= params.warm_epochs;
    const ShadowStats before = rt.shadow_stats();
    const auto start = std::chrono::steady_clock::now();
    for (int op = 0; op < params.ops_per_epoch; ++op) {
      const int object = sampler(rng);
      if (coin(rng) < write_frac) {
        blob.bytes[0] = static_cast<std::byte>(op);
        const std::int64_t began = now_ns();
        const Version version = rt.write(names[static_cast<std::size_t>(object)], blob);
        const std::int64_t ended = now_ns();
        if (measured) {
          write_log.push_back({object, static_cast<std::int64_t>(version), ended});
          write_us += static_cast<double>(ended - began) / 1000.0;
        }
        continue;
      }
      const std::int64_t began = now_ns();
      const auto copy = rt.read<ZipfBlob>(names[static_cast<std::size_t>(object)]);
      const std::int64_t ended = now_ns();
      if (measured) {
        latencies.push_back(static_cast<double>(ended - began) / 1000.0);
        read_log.push_back({object, static_cast<std::int64_t>(copy.version), began});
        ++reads;
        if (rt.owner_of(names[static_cast<std::size_t>(object)]) == rt.rank()) ++local_reads;
      }
    }
    if (measured) {
      measured_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const ShadowStats now = rt.shadow_stats();
      local_reads += now.local_hits - before.local_hits;
      one_sided_us += now.one_sided_read_us - before.one_sided_read_us;
      one_sided_reads += now.remote_hits - before.remote_hits;
      owner_us += now.owner_read_us - before.owner_read_us;
      owner_reads += now.owner_reads - before.owner_reads;
      lookup_gets += now.lookup_gets - before.lookup_gets;
      lookups += (now.lookup_gets - before.lookup_gets) + (now.lookup_cache_hits - before.lookup_cache_hits);
    }
    rt.update_shadows();
  }
  const ShadowStats after = rt.shadow_stats();

  ZipfRow row;
  row.s = s;
  row.write_frac = write_frac;
  row.mode = mode;
  if (budgeted) {
    std::vector<double> probability;
    std::vector<int> owner;
    for (int i = 0; i < params.objects; ++i) {
      probability.push_back(sampler.probability(i));
      owner.push_back(rt.owner_of(names[static_cast<std::size_t>(i)]));
    }
    row.ranks = size;
    row.budget_slots = static_cast<std::size_t>(config.shadow.budget_bytes / slot_bytes);
    row.resident_slots = config.shadow.home_copies ? static_cast<std::size_t>(config.shadow.resident_bytes / slot_bytes) : 0;
    row.probability = std::move(probability);
    row.owner = std::move(owner);
  }
  double slowest_s = 0;
  MPI_Reduce(&measured_s, &slowest_s, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  std::uint64_t totals[7] = {reads, local_reads, after.held_bytes, after.bytes_pushed - before_any.bytes_pushed,
                             after.resident_bytes, lookups, lookup_gets};
  std::uint64_t sums[7] = {};
  MPI_Reduce(totals, sums, 7, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  // Sums: write time, and the time and number of one-sided and owner reads in the measured epochs.
  const double mine[5] = {write_us, one_sided_us, static_cast<double>(one_sided_reads), owner_us,
                          static_cast<double>(owner_reads)};
  double summed[5] = {};
  MPI_Reduce(mine, summed, 5, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  const std::vector<double> all_latencies = gather_to_root(MPI_COMM_WORLD, latencies);
  const std::vector<Event> all_reads = gather_to_root(MPI_COMM_WORLD, read_log);
  const std::vector<Event> all_writes = gather_to_root(MPI_COMM_WORLD, write_log);
  if (rt.rank() == 0) {
    row.reads_per_s = slowest_s > 0 ? static_cast<double>(sums[0]) / slowest_s : 0;
    row.local_share = sums[0] ? static_cast<double>(sums[1]) / static_cast<double>(sums[0]) : 0;
    row.replica_bytes = sums[2];
    row.update_bytes = sums[3];
    row.resident_bytes = sums[4];
    row.lookups_per_s = slowest_s > 0 ? static_cast<double>(sums[5]) / slowest_s : 0;
    row.lookup_gets_per_s = slowest_s > 0 ? static_cast<double>(sums[6]) / slowest_s : 0;
    double total_us = 0;
    for (double us : all_latencies) total_us += us;
    row.mean_read_us = all_latencies.empty() ? 0 : total_us / static_cast<double>(all_latencies.size());
    row.p99_read_us = percentile(all_latencies, 0.99);
    const std::size_t writes = all_writes.size();
    row.mean_write_us = writes ? summed[0] / static_cast<double>(writes) : 0;
    row.one_sided_read_us = summed[2] > 0 ? summed[1] / summed[2] : 0;
    row.owner_read_us = summed[4] > 0 ? summed[3] / summed[4] : 0;
    const std::vector<double> behind = staleness(all_writes, all_reads);
    row.p50_staleness_versions = percentile(behind, 0.50);
    row.p99_staleness_versions = percentile(behind, 0.99);
  }
  rt.barrier();
  return row;
}

}  // namespace penumbra::bench
