#pragma once
// Where each record lives: which rank homes an id's shard, which ranks hold its copies, which slot it probes
// from, and where a slot's record lies in a holder's window. Pure (no MPI), so every rank computes the same
// answers without communication.
//
// Shards and copies. Shard h is homed at rank h (sharded mode: P shards, the id's default-placement home;
// centralized mode: one shard, homed at rank 0). Copy j of shard h (j = 0 the primary, 1..R-1 the replicas)
// is held by rank (h + j) mod P, with R = min(replicas, P). In sharded mode every rank holds R regions, region
// j holding copy j of shard (rank - j) mod P; in centralized mode ranks 0..R-1 hold one region each and the
// others none.
//
// Slots. A shard is an open-addressing table with linear probing. An id probes from its home slot
// (a hash of the id independent of the shard hash) over at most probe_limit() consecutive records. The
// region has slots_per_shard + probe_limit - 1 records, so a probe run never wraps around: a reader fetches
// it with one MPI_Get of consecutive records.
#include <cstddef>
#include <vector>

#include "metadata/options.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::metadata {

/// Records a probe visits at most (fewer when the shard is smaller).
inline constexpr std::size_t kMaxProbeLength = 128;
/// Bytes one copy of a shard may take (slots_per_shard x record size); larger layouts are a ConfigError.
inline constexpr std::size_t kMaxRegionBytes = std::size_t{1} << 30;

class Layout {
 public:
  /// Throws ConfigError (invalid options) or InvalidArgument (ranks < 1).
  Layout(const Options& options, int ranks);

  Mode mode() const noexcept { return mode_; }
  int ranks() const noexcept { return ranks_; }
  /// Copies of each shard, the primary included: min(replicas, ranks).
  int copies() const noexcept { return copies_; }
  int max_locations() const noexcept { return max_locations_; }
  std::size_t slots_per_shard() const noexcept { return slots_; }
  std::size_t record_bytes() const noexcept { return record_bytes_; }
  std::size_t probe_limit() const noexcept { return probe_limit_; }
  /// Records in one region: slots_per_shard + probe_limit - 1.
  std::size_t region_records() const noexcept { return slots_ + probe_limit_ - 1; }
  std::size_t region_bytes() const noexcept { return region_records() * record_bytes_; }

  /// The rank homing the shard of `id` (which is also the shard's index).
  int home_of(ObjectId id) const;
  /// True iff `rank` homes a shard (every rank when sharded, rank 0 when centralized).
  bool is_home(int rank) const noexcept { return mode_ == Mode::sharded || rank == 0; }
  /// The rank holding copy `copy` (0 = primary) of the shard homed at `home`: (home + copy) mod ranks.
  int holder(int home, int copy) const;
  /// holder(home, 0..copies()-1).
  std::vector<int> holders(int home) const;
  /// Which copy of some shard `rank` holds in region `copy`: the home of that shard, or -1 if none.
  int home_held(int rank, int copy) const;

  /// The first slot `id` probes, in [0, slots_per_shard).
  std::size_t home_slot(ObjectId id) const noexcept;
  /// Byte displacement of `slot`'s record of copy `copy` in its holder's window.
  std::size_t displacement(int copy, std::size_t slot) const;
  /// Bytes `rank` exposes in the service's window.
  std::size_t window_bytes(int rank) const;

 private:
  Mode mode_;
  int ranks_;
  int copies_;
  int max_locations_;
  std::size_t slots_;
  std::size_t record_bytes_;
  std::size_t probe_limit_;
};

}  // namespace penumbra::metadata
