#include "shadow/home_copy.hpp"

#include <algorithm>

namespace penumbra::shadow {

ValueTerms home_copy_terms(const ObjectAccess& access, const CostTable& costs, const ShadowOptions& options) {
  const Prediction prediction = predict(access, options.trend_damping);
  ValueTerms terms;
  for (std::size_t rank = 0; rank < prediction.reads_by_rank.size(); ++rank) {
    const int reader = static_cast<int>(rank);
    if (reader == access.owner || prediction.reads_by_rank[rank] <= 0.0) continue;
    const double saved = costs.owner_read_us(reader, access.owner, access.size_bytes) -
                         costs.read_us(reader, access.owner, access.size_bytes);
    terms.read_saving_us += prediction.reads_by_rank[rank] * std::max(saved, 0.0);
  }
  terms.dependency_factor = 1.0 + options.dependency_weight * static_cast<double>(access.dependents);
  terms.propagation_us = prediction.writes * costs.propagation_us(access.owner, access.owner, access.size_bytes);
  terms.memory_us = memory_rent_us(options, access.size_bytes);
  return terms;
}

bool wants_home_copy(const ValueTerms& terms, bool published_now, const ShadowOptions& options) {
  if (terms.read_saving_us <= 0.0) return false;  // nobody else reads it: nothing to serve
  return published_now ? terms.value_us() >= -options.hysteresis_us : terms.value_us() >= options.min_value_us;
}

}  // namespace penumbra::shadow
