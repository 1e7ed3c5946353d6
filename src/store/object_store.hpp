#pragma once
// The objects this rank owns: value, version, name, and tombstones of erased ones. Pure bookkeeping (no MPI):
// the runtime calls it for local accesses and for requests served on behalf of other ranks.
#include <string>
#include <unordered_map>
#include <vector>

#include "penumbra/detail/value.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::store {

struct StoredObject {
  ObjectId id;
  std::string name;        ///< "" for objects created by id
  detail::ValuePtr value;  ///< null for a tombstone
  Version version = 0;

  bool erased() const noexcept { return value == nullptr; }
  std::uint64_t type_tag() const noexcept { return value ? value->type_tag() : 0; }
  std::size_t size_bytes() const { return value ? value->bytes().size() : 0; }
};

class ObjectStore {
 public:
  /// Creates an object (version 1), or brings back an erased one with the version after its tombstone's so
  /// versions only grow. Throws DuplicateObject if it exists, NameCollision if its id belongs to another name.
  Version create(ObjectRef ref, detail::ValuePtr value);
  /// The live object; UnknownObject, ObjectErased, NameCollision otherwise. `expected_type` 0 skips the
  /// type check, else WrongType when it differs.
  const StoredObject& get(ObjectRef ref, std::uint64_t expected_type = 0) const;
  /// Replaces the value; returns the new version. Same errors as get(), with the new value's type checked.
  Version write(ObjectRef ref, detail::ValuePtr value);
  /// Replaces an undecoded value by its decoded twin of the same version (no version change); ignored when
  /// the object changed in the meantime.
  void cache_decoded(ObjectId id, Version version, detail::ValuePtr decoded);
  /// Replaces the value by `value`, its twin of the same version whose bytes live in the object's resident
  /// home slot (shadow/resident_value.hpp); ignored when the object changed in the meantime. cache_decoded
  /// leaves such a value in place (its decoded twin would be a second copy).
  void adopt_resident(ObjectId id, Version version, detail::ValuePtr value);
  /// Leaves a tombstone (keeps the version, so a later create continues after it).
  void erase(ObjectRef ref);

  /// Migration: removes a live object and returns it (it now lives elsewhere).
  StoredObject extract(ObjectId id);
  /// Migration: installs an object that arrived from another rank, with its version. A tombstone of the same
  /// id is replaced; a live object of the same id is a DuplicateObject.
  void install(StoredObject object);

  bool owns_live(ObjectId id) const;
  /// Ids of live objects, sorted.
  std::vector<ObjectId> live_ids() const;
  std::size_t live_count() const;
  /// Every entry, live objects and tombstones, sorted by id (what a checkpoint writes).
  std::vector<const StoredObject*> entries() const;
  /// No object and no tombstone: what a restore starts from.
  bool empty() const noexcept { return objects_.empty(); }

 private:
  StoredObject& find_live(ObjectRef ref);
  std::unordered_map<ObjectId, StoredObject> objects_;
};

}  // namespace penumbra::store
