#pragma once
/// @file metadata_options.hpp
/// Options of the shadow metadata service (docs/metadata.md): where readers learn which ranks hold a copy of
/// an object, so a read of another rank's object can take the nearest shadow one-sided instead of asking the
/// owner's CPU. Config keys `metadata.<field>`.
#include <cstdint>
#include <string>

namespace penumbra {

struct MetadataOptions {
  /// `metadata.enabled`: run the service (only where `shadow.enabled` is on too). Off, a rank reads other
  /// ranks' objects from its own shadows or from the owner, never from a third rank's shadow.
  bool enabled = true;
  /// `metadata.mode`: sharded (every rank homes a shard) or centralized (rank 0 homes all; comparison runs).
  std::string mode = "sharded";
  /// `metadata.replicas`: copies of each shard including the home's, clamped to the ranks. [1, 64].
  std::int64_t replicas = 2;
  /// `metadata.slots_per_shard`: records per shard, a power of two in [16, 2^24]; keep the load under ~70%.
  std::int64_t slots_per_shard = 16384;
  /// `metadata.max_locations`: shadow holders one record lists. [0, 256].
  std::int64_t max_locations = 8;
  /// `metadata.cache_entries`: cached lookups per rank (0: no cache). [0, 2^30].
  std::int64_t cache_entries = 65536;

  /// Throws ConfigError naming the first bad key, its value and what is allowed.
  void validate() const;
  bool operator==(const MetadataOptions&) const = default;
};

}  // namespace penumbra
