#include "placement/default_placement.hpp"

#include <string>

#include "core/checksum.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::placement {

int home_rank(ObjectId id, int ranks) {
  if (ranks < 1) throw InvalidArgument("home_rank: ranks = " + std::to_string(ranks) + " (expected >= 1)");
  return static_cast<int>(mix64(id.value) % static_cast<std::uint64_t>(ranks));
}

}  // namespace penumbra::placement
