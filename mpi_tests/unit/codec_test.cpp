#include "penumbra/codec.hpp"

#include <gtest/gtest.h>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <map>

#include "penumbra/detail/value.hpp"

namespace penumbra {
namespace {

struct Particle {  // trivially copyable: zero-copy path
  double x, y, z;
  int species;
};

struct Mesh {  // needs Boost.Serialization
  std::string label;
  std::vector<double> values;
  std::map<int, std::string> tags;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& label& values& tags;
  }
  bool operator==(const Mesh&) const = default;
};

TEST(Codec, TriviallyCopyableTypesAreTheirOwnBytes) {
  static_assert(is_zero_copy_v<Particle>);
  const Particle particle{1.5, -2.0, 3.25, 4};
  const Bytes bytes = encode(particle);
  ASSERT_EQ(bytes.size(), sizeof(Particle));
  EXPECT_EQ(std::memcmp(bytes.data(), &particle, sizeof particle), 0);
  const Particle back = decode<Particle>(bytes);
  EXPECT_EQ(back.x, 1.5);
  EXPECT_EQ(back.species, 4);
}

TEST(Codec, SerializableTypesRoundTrip) {
  static_assert(!is_zero_copy_v<Mesh>);
  const Mesh mesh{"inlet", {1.0, 2.0, 3.0}, {{1, "wall"}, {2, "inflow"}}};
  EXPECT_EQ(decode<Mesh>(encode(mesh)), mesh);
}

TEST(Codec, WrongSizeOrGarbageIsASerializationError) {
  const Bytes three(3, std::byte{1});
  EXPECT_THROW(decode<Particle>(three), SerializationError);
  Bytes garbage(64, std::byte{0xff});
  EXPECT_THROW(decode<Mesh>(garbage), SerializationError);
  Bytes truncated = encode(Mesh{"x", std::vector<double>(100, 1.0), {}});
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(decode<Mesh>(truncated), SerializationError);
}

TEST(Codec, TypeTagsTellTypesApart) {
  EXPECT_EQ(type_tag<Particle>(), type_tag<Particle>());
  EXPECT_NE(type_tag<Particle>(), type_tag<Mesh>());
  EXPECT_NE(type_tag<int>(), type_tag<unsigned>());
  EXPECT_NE(type_tag<double>(), type_tag<std::int64_t>());
}

TEST(ValueHolder, LocalTypedValueIsSharedNotCopied) {
  const detail::ValuePtr value = detail::make_value(Mesh{"a", {1.0}, {}});
  const auto first = detail::as_typed<Mesh>(value);
  const auto second = detail::as_typed<Mesh>(value);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(first.get(), value->typed_address());
}

TEST(ValueHolder, EncodedValueDecodesToTheSameValue) {
  const Mesh mesh{"b", {4.0, 5.0}, {{3, "c"}}};
  const detail::ValuePtr encoded = std::make_shared<const detail::EncodedValue>(type_tag<Mesh>(), encode(mesh));
  EXPECT_EQ(encoded->typed_address(), nullptr);
  EXPECT_EQ(*detail::as_typed<Mesh>(encoded), mesh);
}

}  // namespace
}  // namespace penumbra
