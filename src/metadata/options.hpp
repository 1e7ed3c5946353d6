#pragma once
// The knobs of the shadow metadata service, as plain data. Pure. The Runtime fills them from Config keys
// `metadata.*`; validate() names those keys in its errors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "penumbra/metadata_options.hpp"

namespace penumbra::metadata {

/// How ids are spread over home ranks.
enum class Mode : std::uint8_t {
  sharded,      ///< the home of an id is its default-placement home (placement::home_rank): P shards
  centralized,  ///< one shard, homed at rank 0 (the baseline sharding is measured against)
};

/// "sharded" or "centralized".
std::string to_string(Mode mode);
/// Inverse of to_string; throws ConfigError naming `metadata.mode` for any other text.
Mode parse_mode(std::string_view text);

/// Largest accepted values (the layout's fields are sized for them).
inline constexpr int kMaxReplicas = 64;
inline constexpr int kMaxLocationsLimit = 256;
inline constexpr std::size_t kMinSlotsPerShard = 16;
inline constexpr std::size_t kMaxSlotsPerShard = std::size_t{1} << 24;

struct Options {
  /// `metadata.mode`.
  Mode mode = Mode::sharded;
  /// `metadata.replicas`: copies of each shard, the home's included (R). Clamped to the number of ranks, so
  /// the default 2 also runs on one rank. 1..kMaxReplicas.
  int replicas = 2;
  /// `metadata.slots_per_shard`: records per shard (open addressing, so keep the load under ~70%). A power of
  /// two in [kMinSlotsPerShard, kMaxSlotsPerShard]. Each rank exposes R shards' worth of records: at the
  /// default, 2 x 16511 records of 240 bytes = 7.9 MB, cleared at construction and read whole by scrub().
  std::size_t slots_per_shard = 16384;
  /// `metadata.max_locations`: shadow holders one record can list; sets the record size (48 + 24 x this
  /// bytes: 240 for the default). 0..kMaxLocationsLimit.
  int max_locations = 8;
  /// `metadata.cache_entries`: lookups of remotely homed ids this rank keeps (random eviction beyond it);
  /// 0 turns the cache off. 0..2^30.
  std::size_t cache_entries = 65536;

  /// Throws ConfigError naming the first invalid key, its value and what is allowed.
  void validate() const;
  /// One `metadata.key = value` line per key (to compare configurations across ranks and print them).
  std::string to_string() const;

  bool operator==(const Options&) const = default;
};

/// The service's options from the Config section (`metadata.*`). Throws ConfigError naming the key for a value
/// outside its range.
Options from_config(const MetadataOptions& options);

}  // namespace penumbra::metadata
