#pragma once
// Which rank owns each object, as this rank knows it: the home rank (default placement) unless a collective
// migration moved the object, in which case every rank recorded the move. Pure. This is the interim owner
// lookup until the shadow metadata service replaces it (issue 4); it costs one entry per moved object.
#include <unordered_map>

#include "penumbra/object_id.hpp"

namespace penumbra::store {

class OwnerDirectory {
 public:
  explicit OwnerDirectory(int ranks);
  int owner_of(ObjectId id) const;
  void record_owner(ObjectId id, int rank);
  /// Objects whose owner differs from their home.
  std::size_t moved_count() const noexcept { return moved_.size(); }

 private:
  int ranks_;
  std::unordered_map<ObjectId, int> moved_;
};

}  // namespace penumbra::store
