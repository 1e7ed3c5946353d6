#include "metadata/options.hpp"

#include <fmt/format.h>

#include <bit>

#include "penumbra/errors.hpp"

namespace penumbra::metadata {

std::string to_string(Mode mode) { return mode == Mode::centralized ? "centralized" : "sharded"; }

Mode parse_mode(std::string_view text) {
  if (text == "sharded") return Mode::sharded;
  if (text == "centralized") return Mode::centralized;
  throw ConfigError("metadata.mode", std::string(text), "sharded or centralized");
}

void Options::validate() const {
  if (mode != Mode::sharded && mode != Mode::centralized)
    throw ConfigError("metadata.mode", std::to_string(static_cast<int>(mode)), "sharded or centralized");
  if (replicas < 1 || replicas > kMaxReplicas)
    throw ConfigError("metadata.replicas", std::to_string(replicas),
                      fmt::format("an integer in [1, {}] (clamped to the number of ranks)", kMaxReplicas));
  if (slots_per_shard < kMinSlotsPerShard || slots_per_shard > kMaxSlotsPerShard ||
      !std::has_single_bit(slots_per_shard))
    throw ConfigError("metadata.slots_per_shard", std::to_string(slots_per_shard),
                      fmt::format("a power of two in [{}, {}]", kMinSlotsPerShard, kMaxSlotsPerShard));
  if (max_locations < 0 || max_locations > kMaxLocationsLimit)
    throw ConfigError("metadata.max_locations", std::to_string(max_locations),
                      fmt::format("an integer in [0, {}]", kMaxLocationsLimit));
  if (cache_entries > (std::size_t{1} << 30))
    throw ConfigError("metadata.cache_entries", std::to_string(cache_entries), "an integer in [0, 1073741824]");
}

std::string Options::to_string() const {
  return fmt::format(
      "metadata.mode = \"{}\"\nmetadata.replicas = {}\nmetadata.slots_per_shard = {}\nmetadata.max_locations = "
      "{}\nmetadata.cache_entries = {}\n",
      metadata::to_string(mode), replicas, slots_per_shard, max_locations, cache_entries);
}

Options from_config(const MetadataOptions& options) {
  // Range checks before the narrowing casts, so a negative count cannot wrap into a huge valid one.
  const auto bounded = [](const char* key, std::int64_t value, std::int64_t max) {
    if (value < 0 || value > max)
      throw ConfigError(key, std::to_string(value), fmt::format("an integer in [0, {}]", max));
  };
  bounded("metadata.replicas", options.replicas, kMaxReplicas);
  bounded("metadata.slots_per_shard", options.slots_per_shard, static_cast<std::int64_t>(kMaxSlotsPerShard));
  bounded("metadata.max_locations", options.max_locations, kMaxLocationsLimit);
  bounded("metadata.cache_entries", options.cache_entries, std::int64_t{1} << 30);
  Options result;
  result.mode = parse_mode(options.mode);
  result.replicas = static_cast<int>(options.replicas);
  result.slots_per_shard = static_cast<std::size_t>(options.slots_per_shard);
  result.max_locations = static_cast<int>(options.max_locations);
  result.cache_entries = static_cast<std::size_t>(options.cache_entries);
  result.validate();
  return result;
}

}  // namespace penumbra::metadata

namespace penumbra {

void MetadataOptions::validate() const { metadata::from_config(*this); }

}  // namespace penumbra
