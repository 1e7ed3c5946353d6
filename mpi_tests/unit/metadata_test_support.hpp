#pragma once
// Shadow locations for metadata tests, written down independently of the code under test: the holder ranks
// given, each with a slot offset and capacity that differ per rank and per position, so that a record that
// swapped, dropped or truncated any field would not compare equal.
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "metadata/entry.hpp"

namespace penumbra::metadata::testing_support {

inline Location location_at(int rank, std::size_t position = 0) {
  return Location{rank, 4096ULL * static_cast<std::uint64_t>(rank) + 64 * position + 64,
                  128ULL + 8 * static_cast<std::uint64_t>(position) + static_cast<std::uint64_t>(rank)};
}

inline std::vector<Location> locations_at(std::initializer_list<int> ranks) {
  std::vector<Location> result;
  for (int rank : ranks) result.push_back(location_at(rank, result.size()));
  return result;
}

}  // namespace penumbra::metadata::testing_support
