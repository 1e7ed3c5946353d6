#pragma once
// What the shadow suites through the Runtime share: a 128-byte trivially copyable value whose every byte
// follows from its step (so a torn copy or another object's bytes are seen), and a configuration that places
// copies from the read counts alone.
#include <cstdint>
#include <string>

#include "penumbra/penumbra.hpp"

namespace penumbra::shadow_test {

struct Cell {
  std::int64_t step;
  double payload[15];
};

inline Cell cell_of(std::int64_t step) {
  Cell cell{step, {}};
  for (int i = 0; i < 15; ++i) cell.payload[i] = static_cast<double>(step * 100 + i);
  return cell;
}

inline Config shadow_config(std::int64_t max_versions_behind) {
  Config config;
  config.shadow.enabled = true;
  config.shadow.max_copies = 2;
  config.shadow.max_versions_behind = max_versions_behind;
  config.shadow.observed_costs = false;  // placement from the counts alone, not from this machine's timings
  return config;
}

// A name whose home (and so its creator's owner) is `rank`: prefix + the first suffix that hashes there.
inline std::string name_at(const Runtime& rt, int rank, const std::string& prefix) {
  for (int k = 0;; ++k) {
    std::string name = prefix + std::to_string(k);
    if (rt.owner_of(name) == rank) return name;
  }
}

// Makes `reader` hold a shadow of the object behind `handle`: reads there, then a shadow epoch. Collective.
inline void read_then_place_shadow(Runtime& rt, ReadHandle<Cell>& handle, int reader) {
  if (rt.rank() == reader)
    for (int i = 0; i < 50; ++i) handle.read();
  rt.barrier();
  rt.update_shadows();
}

}  // namespace penumbra::shadow_test
