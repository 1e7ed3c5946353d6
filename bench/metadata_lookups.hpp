#pragma once
// Metadata lookups per second, sharded against centralized, on the first n ranks of a communicator: the
// measurement behind penumbra-bench-metadata, in a header so that penumbra-bench-shadow can run the same
// section (issue 4: "metadata lookups per second, sharded vs centralized, at 2, 4 and 8 ranks").
//
// Each of the n ranks registers `objects_per_rank` objects (two shadow locations each) through the homes, then
//   uncached   MetadataService::fetch() of uniformly random registered ids: one-sided reads of the home's
//              primary copy (an id homed at the reader is answered from its private table)
//   cached     MetadataService::lookup() of the same ids after one warming pass: cache hits, except for the
//              ids homed at the reader
//   updates    every rank re-registers all its objects at a newer version and flushes (one batch per home,
//              applied and mirrored by the home's CPU): the side where a single home is a bottleneck
// Rates are aggregates: operations done by all n ranks / the slowest rank's time between two barriers. The
// ranks beyond n wait without spinning (see the end of measure_metadata_lookups).
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "metadata/service.hpp"
#include "mpi/collectives.hpp"
#include "mpi/communicator.hpp"
#include "mpi/point_to_point.hpp"
#include "transport/messenger.hpp"

namespace penumbra::bench {

struct MetadataRow {
  int ranks = 0;
  std::string mode;
  double lookups_per_s = 0;         ///< uncached (fetch): what a cold reader pays
  double cached_lookups_per_s = 0;  ///< lookup() after warming
  double updates_per_s = 0;         ///< staged updates flushed through the homes
  double uncached_us = 0;           ///< mean time of one uncached lookup on one rank
};

struct MetadataBenchOptions {
  int objects_per_rank = 4096;
  int uncached_lookups = 200000;  ///< per rank
  int cached_lookups = 2000000;   ///< per rank
};

namespace detail {

inline ObjectId bench_object_id(int rank, int k) {
  return ObjectId{(static_cast<std::uint64_t>(rank + 1) << 40) | static_cast<std::uint64_t>(k)};
}

inline metadata::Entry bench_entry(int rank, int k, int ranks, Version version) {
  const auto slot = static_cast<std::uint64_t>(k) * 256;
  return metadata::Entry{
      bench_object_id(rank, k),
      version,
      rank,
      {metadata::Location{(rank + 1) % ranks, slot, 192}, metadata::Location{(rank + 2) % ranks, slot, 192}},
      128};
}

// Runs `body` between barriers on `comm`; returns the slowest rank's seconds.
template <class Body>
double timed_collectively(const mpi::Communicator& comm, Body&& body) {
  comm.barrier();
  const auto start = std::chrono::steady_clock::now();
  body();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<double> all = mpi::allgather(comm, seconds);
  return *std::ranges::max_element(all);
}

}  // namespace detail

/// Collective over `world`: measures on its first `ranks` ranks (the others wait at the closing barrier).
/// The row is complete on world rank 0 (and on every participant).
inline MetadataRow measure_metadata_lookups(const mpi::Communicator& world, int ranks, metadata::Mode mode,
                                            const MetadataBenchOptions& bench) {
  MetadataRow row;
  row.ranks = ranks;
  row.mode = metadata::to_string(mode);
  const bool participant = world.rank() < ranks;
  const mpi::Communicator comm = world.split(participant ? 0 : 1, world.rank());
  if (participant) {
    metadata::Options options;
    options.mode = mode;
    // Room for every object at a load under 70% in one shard (centralized holds them all).
    const auto objects = static_cast<std::size_t>(ranks) * static_cast<std::size_t>(bench.objects_per_rank);
    options.slots_per_shard = std::bit_ceil(std::max<std::size_t>(objects * 2, metadata::kMinSlotsPerShard));
    options.cache_entries = objects;
    metadata::MetadataService service(comm.get(), options);
    transport::Messenger messenger(mpi::Communicator::duplicate(comm.get()),
                                   [&service](int, transport::Request request) { return service.serve(request); });
    const int rank = comm.rank();
    for (int k = 0; k < bench.objects_per_rank; ++k) service.stage(detail::bench_entry(rank, k, ranks, 1));
    service.flush(messenger);
    messenger.quiesce();

    std::mt19937_64 random(0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(rank));
    std::vector<ObjectId> ids(static_cast<std::size_t>(std::max(bench.uncached_lookups, bench.cached_lookups)));
    for (ObjectId& id : ids)
      id = detail::bench_object_id(static_cast<int>(random() % static_cast<std::uint64_t>(ranks)),
                                   static_cast<int>(random() % static_cast<std::uint64_t>(bench.objects_per_rank)));
    std::uint64_t found = 0;  // checked below, so that the loops cannot be optimised away or measure misses
    const double uncached = detail::timed_collectively(comm, [&] {
      for (int i = 0; i < bench.uncached_lookups; ++i) found += service.fetch(ids[static_cast<std::size_t>(i)]) ? 1 : 0;
    });
    for (int i = 0; i < bench.cached_lookups; ++i) found += service.lookup(ids[static_cast<std::size_t>(i)]) ? 1 : 0;
    const double cached = detail::timed_collectively(comm, [&] {
      for (int i = 0; i < bench.cached_lookups; ++i) found += service.lookup(ids[static_cast<std::size_t>(i)]) ? 1 : 0;
    });
    const double updating = detail::timed_collectively(comm, [&] {
      for (int k = 0; k < bench.objects_per_rank; ++k) service.stage(detail::bench_entry(rank, k, ranks, 2));
      service.flush(messenger);
      messenger.quiesce();  // a home may still be serving others' batches when its own flush returns
    });
    const auto expected_found =
        static_cast<std::uint64_t>(bench.uncached_lookups) + 2 * static_cast<std::uint64_t>(bench.cached_lookups);
    if (found != expected_found)
      throw InvariantViolation("metadata benchmark: " + std::to_string(expected_found - found) +
                               " lookups of registered objects found nothing");
    row.lookups_per_s = ranks * static_cast<double>(bench.uncached_lookups) / uncached;
    row.cached_lookups_per_s = ranks * static_cast<double>(bench.cached_lookups) / cached;
    row.updates_per_s = ranks * static_cast<double>(bench.objects_per_rank) / updating;
    row.uncached_us = uncached * 1e6 / bench.uncached_lookups;
    messenger.quiesce();  // no request in flight when the service's window is freed
  }
  // Ranks outside the measurement wait here from the start. A plain barrier would have them spin (Open MPI
  // polls; 8 ranks share 2 cores here), taking the cores from the ranks measured: at 8 ranks that cost the
  // 2-rank rows 3x. So they test an Ibarrier and sleep between tests (a back-off, not a synchronisation: the
  // barrier is what orders the rows).
  mpi::Request done = mpi::start_barrier(world);
  if (participant) {
    done.wait();
  } else {
    while (!done.test()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return row;
}

/// The rank counts both benchmarks measure: 2, 4 and 8 up to the job's size, and the job's size.
inline std::vector<int> metadata_rank_counts(int size) {
  std::vector<int> counts;
  for (int n : {2, 4, 8})
    if (n <= size) counts.push_back(n);
  if (counts.empty() || counts.back() != size) counts.push_back(size);
  return counts;
}

/// The whole section: every rank count, sharded and centralized. Collective over `world` (>= 2 ranks).
inline std::vector<MetadataRow> measure_metadata_section(const mpi::Communicator& world, bool quick) {
  MetadataBenchOptions options;
  if (quick) {
    options.objects_per_rank = 512;
    options.uncached_lookups = 2000;
    options.cached_lookups = 50000;
  }
  std::vector<MetadataRow> rows;
  for (int n : metadata_rank_counts(world.size()))
    for (auto mode : {metadata::Mode::sharded, metadata::Mode::centralized})
      rows.push_back(measure_metadata_lookups(world, n, mode, options));
  return rows;
}

/// Prints the section's table (rank 0 calls it) and returns its JSON array, the issue's
/// `"metadata":[{"ranks", "mode", "lookups_per_s", ...}]`.
inline nlohmann::json print_metadata_section(const std::vector<MetadataRow>& rows, int world_size) {
  fmt::print(
      "{} ranks on this node; metadata lookups, aggregate rates over the ranks measured (oversubscribed ranks make\n"
      "absolute figures noise; compare the modes within a row pair)\n",
      world_size);
  fmt::print("{:>6} {:>12} {:>16} {:>16} {:>14} {:>12}\n", "ranks", "mode", "lookups/s", "cached/s", "updates/s",
             "uncached us");
  nlohmann::json metadata = nlohmann::json::array();
  for (const auto& row : rows) {
    fmt::print("{:>6} {:>12} {:>16.0f} {:>16.0f} {:>14.0f} {:>12.2f}\n", row.ranks, row.mode, row.lookups_per_s,
               row.cached_lookups_per_s, row.updates_per_s, row.uncached_us);
    metadata.push_back({{"ranks", row.ranks},
                        {"mode", row.mode},
                        {"lookups_per_s", row.lookups_per_s},
                        {"cached_lookups_per_s", row.cached_lookups_per_s},
                        {"updates_per_s", row.updates_per_s},
                        {"uncached_us", row.uncached_us}});
  }
  return metadata;
}

}  // namespace penumbra::bench
