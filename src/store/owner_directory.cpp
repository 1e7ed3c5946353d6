#include "store/owner_directory.hpp"

#include "placement/default_placement.hpp"

namespace penumbra::store {

OwnerDirectory::OwnerDirectory(int ranks) : ranks_(ranks) {}

int OwnerDirectory::owner_of(ObjectId id) const {
  auto it = moved_.find(id);
  return it != moved_.end() ? it->second : placement::home_rank(id, ranks_);
}

void OwnerDirectory::record_owner(ObjectId id, int rank) {
  if (rank == placement::home_rank(id, ranks_))
    moved_.erase(id);
  else
    moved_[id] = rank;
}

}  // namespace penumbra::store
