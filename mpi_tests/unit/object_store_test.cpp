#include "store/object_store.hpp"

#include <gtest/gtest.h>

#include "penumbra/errors.hpp"

namespace penumbra::store {
namespace {

detail::ValuePtr int_value(int v) { return detail::make_value(v); }

TEST(ObjectStore, CreateReadWriteVersions) {
  ObjectStore store;
  EXPECT_EQ(store.create("a", int_value(1)), 1U);
  EXPECT_EQ(store.get("a", type_tag<int>()).version, 1U);
  EXPECT_EQ(store.write("a", int_value(2)), 2U);
  EXPECT_EQ(store.write("a", int_value(3)), 3U);
  const StoredObject& object = store.get("a");
  EXPECT_EQ(*static_cast<const int*>(object.value->typed_address()), 3);
  EXPECT_EQ(object.size_bytes(), sizeof(int));
  EXPECT_EQ(object.name, "a");
}

TEST(ObjectStore, TypedErrors) {
  ObjectStore store;
  store.create("a", int_value(1));
  EXPECT_THROW(store.create("a", int_value(1)), DuplicateObject);
  EXPECT_THROW(store.get("b"), UnknownObject);
  EXPECT_THROW(store.get("a", type_tag<double>()), WrongType);
  EXPECT_THROW(store.write("a", detail::make_value(2.0)), WrongType);
  store.erase("a");
  EXPECT_THROW(store.get("a"), ObjectErased);
  EXPECT_THROW(store.write("a", int_value(5)), ObjectErased);
  EXPECT_THROW(store.erase("a"), ObjectErased);
}

TEST(ObjectStore, RecreateAfterEraseContinuesTheVersion) {
  ObjectStore store;
  store.create("a", int_value(1));
  store.write("a", int_value(2));  // version 2
  store.erase("a");
  EXPECT_EQ(store.create("a", int_value(9)), 3U);
}

TEST(ObjectStore, SameIdUnderAnotherNameIsACollision) {
  // Two names with one 64-bit hash cannot be found by search, so plant an object named "beta" at the id of
  // "alpha", which is what a real collision looks like to the store.
  ObjectStore store;
  store.install(StoredObject{ObjectId::from_name("alpha"), "beta", int_value(1), 1});
  EXPECT_THROW(store.get("alpha"), NameCollision);
  EXPECT_THROW(store.write("alpha", int_value(2)), NameCollision);
  EXPECT_THROW(store.create("alpha", int_value(2)), NameCollision);
  EXPECT_NO_THROW(store.get(ObjectId::from_name("alpha")));  // by id, any name is fine
}

TEST(ObjectStore, ExtractAndInstallKeepVersionAndName) {
  ObjectStore source, target;
  source.create("m", int_value(5));
  source.write("m", int_value(6));
  StoredObject moved = source.extract(ObjectId::from_name("m"));
  EXPECT_FALSE(source.owns_live(ObjectId::from_name("m")));
  target.install(std::move(moved));
  EXPECT_EQ(target.get("m").version, 2U);
  EXPECT_EQ(target.get("m").name, "m");
  EXPECT_THROW(target.install(StoredObject{ObjectId::from_name("m"), "m", int_value(1), 1}), DuplicateObject);
}

TEST(ObjectStore, LiveIdsAreSortedAndSkipTombstones) {
  ObjectStore store;
  store.create(ObjectId{30}, int_value(1));
  store.create(ObjectId{10}, int_value(1));
  store.create(ObjectId{20}, int_value(1));
  store.erase(ObjectId{20});
  EXPECT_EQ(store.live_ids(), (std::vector<ObjectId>{ObjectId{10}, ObjectId{30}}));
  EXPECT_EQ(store.live_count(), 2U);
}

TEST(ObjectStore, CacheDecodedOnlyReplacesTheSameVersion) {
  ObjectStore store;
  store.install(
      StoredObject{ObjectId{1}, "", std::make_shared<const detail::EncodedValue>(type_tag<int>(), encode(41)), 4});
  EXPECT_EQ(store.get(ObjectId{1}).value->typed_address(), nullptr);
  store.cache_decoded(ObjectId{1}, 3, int_value(41));  // stale version: ignored
  EXPECT_EQ(store.get(ObjectId{1}).value->typed_address(), nullptr);
  store.cache_decoded(ObjectId{1}, 4, int_value(41));
  EXPECT_NE(store.get(ObjectId{1}).value->typed_address(), nullptr);
  EXPECT_EQ(store.get(ObjectId{1}).version, 4U);
}

}  // namespace
}  // namespace penumbra::store
