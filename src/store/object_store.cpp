#include "store/object_store.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "penumbra/errors.hpp"

namespace penumbra::store {
namespace {

// An id reached by a name must have been created under that name; by id, any name is fine.
void check_name(const StoredObject& object, ObjectRef ref) {
  if (ref.name().empty() || object.name == ref.name()) return;
  throw NameCollision(ref.id().value, fmt::format("name {} hashes to the id of existing object '{}'; rename one "
                                                  "or use explicit ObjectIds",
                                                  ref.describe(), object.name));
}

void check_type(const StoredObject& object, ObjectRef ref, std::uint64_t expected_type) {
  if (expected_type == 0 || object.type_tag() == expected_type) return;
  throw WrongType(ref.id().value, fmt::format("object {} holds another type (type tag {:#x}, asked for {:#x})",
                                              ref.describe(), object.type_tag(), expected_type));
}

}  // namespace

Version ObjectStore::create(ObjectRef ref, detail::ValuePtr value) {
  auto [it, inserted] = objects_.try_emplace(ref.id());
  StoredObject& object = it->second;
  if (!inserted) {
    check_name(object, ref);
    if (!object.erased())
      throw DuplicateObject(ref.id().value,
                            fmt::format("object {} already exists (version {})", ref.describe(), object.version));
  }
  object.id = ref.id();
  object.name = std::string(ref.name());
  object.value = std::move(value);
  object.version += 1;
  return object.version;
}

StoredObject& ObjectStore::find_live(ObjectRef ref) {
  auto it = objects_.find(ref.id());
  if (it == objects_.end()) throw UnknownObject(ref.id().value, fmt::format("no object {} exists", ref.describe()));
  check_name(it->second, ref);
  if (it->second.erased())
    throw ObjectErased(ref.id().value,
                       fmt::format("object {} was erased at version {}", ref.describe(), it->second.version));
  return it->second;
}

const StoredObject& ObjectStore::get(ObjectRef ref, std::uint64_t expected_type) const {
  const StoredObject& object = const_cast<ObjectStore*>(this)->find_live(ref);
  check_type(object, ref, expected_type);
  return object;
}

Version ObjectStore::write(ObjectRef ref, detail::ValuePtr value) {
  StoredObject& object = find_live(ref);
  check_type(object, ref, value->type_tag());
  object.value = std::move(value);
  return ++object.version;
}

void ObjectStore::cache_decoded(ObjectId id, Version version, detail::ValuePtr decoded) {
  auto it = objects_.find(id);
  if (it == objects_.end() || it->second.erased() || it->second.version != version) return;
  if (it->second.type_tag() != decoded->type_tag()) return;
  // A resident value stays: its decoded twin would be a second copy (the slot is the object's storage).
  if (it->second.value->in_window()) return;
  it->second.value = std::move(decoded);
}

void ObjectStore::adopt_resident(ObjectId id, Version version, detail::ValuePtr value) {
  auto it = objects_.find(id);
  if (it == objects_.end() || it->second.erased() || it->second.version != version) return;
  if (it->second.type_tag() != value->type_tag()) return;
  it->second.value = std::move(value);
}

void ObjectStore::erase(ObjectRef ref) {
  StoredObject& object = find_live(ref);
  object.value = nullptr;
}

StoredObject ObjectStore::extract(ObjectId id) {
  StoredObject object = std::move(find_live(id));
  objects_.erase(id);
  return object;
}

void ObjectStore::install(StoredObject object) {
  auto [it, inserted] = objects_.try_emplace(object.id);
  if (!inserted && !it->second.erased())
    throw DuplicateObject(object.id.value,
                          fmt::format("cannot install object {}: this rank already owns it", to_string(object.id)));
  if (!inserted && it->second.version >= object.version)
    throw InvariantViolation(
        fmt::format("installing object {} at version {} over a tombstone at version {} "
                    "would make its version go backwards",
                    to_string(object.id), object.version, it->second.version));
  it->second = std::move(object);
}

bool ObjectStore::owns_live(ObjectId id) const {
  auto it = objects_.find(id);
  return it != objects_.end() && !it->second.erased();
}

std::vector<ObjectId> ObjectStore::live_ids() const {
  std::vector<ObjectId> ids;
  for (const auto& [id, object] : objects_)
    if (!object.erased()) ids.push_back(id);
  std::ranges::sort(ids);
  return ids;
}

std::size_t ObjectStore::live_count() const {
  return static_cast<std::size_t>(
      std::ranges::count_if(objects_, [](const auto& entry) { return !entry.second.erased(); }));
}

std::vector<const StoredObject*> ObjectStore::entries() const {
  std::vector<const StoredObject*> all;
  all.reserve(objects_.size());
  for (const auto& [id, object] : objects_) all.push_back(&object);
  std::ranges::sort(all, {}, [](const StoredObject* object) { return object->id; });
  return all;
}

}  // namespace penumbra::store
