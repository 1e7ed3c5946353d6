#include "metadata/layout.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/checksum.hpp"
#include "metadata/record.hpp"
#include "penumbra/errors.hpp"
#include "placement/default_placement.hpp"

namespace penumbra::metadata {

Layout::Layout(const Options& options, int ranks)
    : mode_(options.mode),
      ranks_(ranks),
      copies_(std::min(options.replicas, ranks)),
      max_locations_(options.max_locations),
      slots_(options.slots_per_shard),
      record_bytes_(metadata::record_bytes(options.max_locations)),
      probe_limit_(std::min(kMaxProbeLength, options.slots_per_shard)) {
  options.validate();
  if (ranks < 1) throw InvalidArgument(fmt::format("metadata layout: ranks = {} (expected >= 1)", ranks));
  // One region is read with one MPI_Get by scrub() (MPI counts are int) and cleared at construction; a GiB of
  // records per copy is far beyond any object count a rank homes.
  if (region_bytes() > kMaxRegionBytes)
    throw ConfigError("metadata.slots_per_shard", std::to_string(slots_),
                      fmt::format("at most {} bytes per shard copy with metadata.max_locations = {} ({} bytes per "
                                  "record); lower one of them",
                                  kMaxRegionBytes, max_locations_, record_bytes_));
}

int Layout::home_of(ObjectId id) const { return mode_ == Mode::centralized ? 0 : placement::home_rank(id, ranks_); }

int Layout::holder(int home, int copy) const {
  if (home < 0 || home >= ranks_ || !is_home(home) || copy < 0 || copy >= copies_)
    throw InvalidArgument(
        fmt::format("metadata layout: no copy {} of a shard homed at rank {} ({} mode, {} ranks, {} "
                    "copies)",
                    copy, home, to_string(mode_), ranks_, copies_));
  return (home + copy) % ranks_;
}

std::vector<int> Layout::holders(int home) const {
  std::vector<int> result;
  for (int copy = 0; copy < copies_; ++copy) result.push_back(holder(home, copy));
  return result;
}

int Layout::home_held(int rank, int copy) const {
  if (rank < 0 || rank >= ranks_ || copy < 0 || copy >= copies_) return -1;
  if (mode_ == Mode::centralized) return rank == copy ? 0 : -1;
  return (rank - copy + ranks_) % ranks_;
}

std::size_t Layout::home_slot(ObjectId id) const noexcept {
  // Not the shard hash: the ids of one shard all share mix64(id) mod P, so with P a power of two its low bits
  // would leave all but 1/P of the slots unused. A differently seeded mix is independent of it.
  return mix64(id.value ^ 0x6a09e667f3bcc909ULL) & (slots_ - 1);
}

std::size_t Layout::displacement(int copy, std::size_t slot) const {
  if (copy < 0 || copy >= copies_ || slot >= region_records())
    throw InvalidArgument(fmt::format("metadata layout: copy {} slot {} (expected copy < {}, slot < {})", copy, slot,
                                      copies_, region_records()));
  const std::size_t region = mode_ == Mode::centralized ? 0 : static_cast<std::size_t>(copy);
  return region * region_bytes() + slot * record_bytes_;
}

std::size_t Layout::window_bytes(int rank) const {
  if (mode_ == Mode::centralized) return rank < copies_ ? region_bytes() : 0;
  return static_cast<std::size_t>(copies_) * region_bytes();
}

}  // namespace penumbra::metadata
