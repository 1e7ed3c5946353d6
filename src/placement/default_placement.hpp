#pragma once
// Where an object lives before anything moves it: its home rank. Pure.
#include "penumbra/object_id.hpp"

namespace penumbra::placement {

/// Home rank of `id` among `ranks` ranks: splitmix64(id) mod ranks. Mixed so that sequential user ids
/// (0, 1, 2, ...) and name hashes spread evenly. Throws InvalidArgument when ranks < 1.
int home_rank(ObjectId id, int ranks);

}  // namespace penumbra::placement
