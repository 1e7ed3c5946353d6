#include "penumbra/object_id.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

TEST(ObjectId, NamesHashStablyAndDistinctly) {
  EXPECT_EQ(ObjectId::from_name("temperature"), ObjectId::from_name(std::string("temperature")));
  EXPECT_NE(ObjectId::from_name("temperature"), ObjectId::from_name("temperaturf"));
  std::unordered_set<ObjectId> ids;
  for (int i = 0; i < 100000; ++i) ids.insert(ObjectId::from_name("block/" + std::to_string(i)));
  EXPECT_EQ(ids.size(), 100000U);
}

TEST(ObjectId, EmptyNameIsRejected) { EXPECT_THROW(ObjectId::from_name(""), InvalidArgument); }

TEST(ObjectId, RefKeepsNameOnlyWhenNamed) {
  const ObjectRef by_name("grid");
  EXPECT_EQ(by_name.name(), "grid");
  EXPECT_EQ(by_name.id(), ObjectId::from_name("grid"));
  const ObjectRef by_id(ObjectId{7});
  EXPECT_TRUE(by_id.name().empty());
  EXPECT_EQ(by_id.describe(), "0x0000000000000007");
  EXPECT_EQ(by_name.describe().find("'grid'"), 0U);
}

}  // namespace
}  // namespace penumbra
