#include "core/validate.hpp"
#include "penumbra/affinity.hpp"

namespace penumbra {

void AffinityOptions::validate() const {
  check::in_range("affinity.locality_weight", locality_weight, 0.0, 10.0);
  check::in_range("affinity.dependency_weight", dependency_weight, 0.0, 10.0);
  check::in_range("affinity.processing_weight", processing_weight, 0.0, 10.0);
  check::in_range("affinity.headroom_weight", headroom_weight, 0.0, 10.0);
  check::in_range("affinity.proximity_weight", proximity_weight, 0.0, 10.0);
  check::in_range("affinity.migration_weight", migration_weight, 0.0, 10.0);
  check::in_range("affinity.margin", margin, 0.0, 10.0);
  check::in_range("affinity.shadow_credit", shadow_credit, 0.0, 1.0);
  check::in_range("affinity.uncertainty_weight", uncertainty_weight, 0.0, 10.0);
  check::in_range_open_low("affinity.default_bandwidth", default_bandwidth, 0.0, 1e15);
  check::integer_in_range("affinity.full_scan_ranks", full_scan_ranks, 1, 1048576);
  check::integer_in_range("affinity.headroom_candidates", headroom_candidates, 0, 1024);
}

}  // namespace penumbra
