#include "shadow/home_copy.hpp"

namespace penumbra::shadow {
namespace {

constexpr double kKiB = 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

ValueTerms home_copy_terms(const ObjectAccess& access, const CostTable& costs, const TransferCost& owner_service,
                           const ShadowOptions& options) {
  const Prediction prediction = predict(access, options.trend_damping);
  const double size = static_cast<double>(access.size_bytes);
  double remote_reads = 0.0;
  for (std::size_t rank = 0; rank < prediction.reads_by_rank.size(); ++rank)
    if (static_cast<int>(rank) != access.owner) remote_reads += prediction.reads_by_rank[rank];
  ValueTerms terms;
  terms.read_saving_us = remote_reads * (owner_service.base_us + owner_service.us_per_kib * size / kKiB);
  terms.dependency_factor = 1.0 + options.dependency_weight * static_cast<double>(access.dependents);
  terms.propagation_us = prediction.writes * costs.propagation_us(access.owner, access.owner, access.size_bytes);
  terms.memory_us = options.memory_weight_us_per_mib * size / kMiB;
  return terms;
}

bool wants_home_copy(const ValueTerms& terms, bool published_now, const ShadowOptions& options) {
  if (terms.read_saving_us <= 0.0) return false;  // nobody else reads it: nothing to serve
  return published_now ? terms.value_us() >= -options.hysteresis_us : terms.value_us() >= options.min_value_us;
}

}  // namespace penumbra::shadow
