#pragma once
/// @file object_id.hpp
/// Object identities. An object is named by a 64-bit ObjectId, either given directly or hashed from a
/// string name; the name travels with the object so that two names hashing to one id are detected
/// (penumbra::NameCollision) instead of silently aliasing.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace penumbra {

/// Per-object version: 1 at creation, +1 on every write; kept across moves. Versions only grow.
using Version = std::uint64_t;

/// A stable 64-bit object identity.
struct ObjectId {
  std::uint64_t value = 0;

  /// The id of a string name (64-bit FNV-1a, then a mixing finalizer). Throws InvalidArgument on "".
  static ObjectId from_name(std::string_view name);

  auto operator<=>(const ObjectId&) const = default;
};

/// "0x" followed by 16 hex digits.
std::string to_string(ObjectId id);

/// What the object calls take: an id, or a name (hashed to an id; the name is checked by the owner).
/// Cheap to pass by value; a name is only borrowed for the duration of the call.
class ObjectRef {
 public:
  ObjectRef(ObjectId id) noexcept : id_(id) {}  // NOLINT(google-explicit-constructor): implicit by design
  ObjectRef(std::string_view name) : id_(ObjectId::from_name(name)), name_(name) {}  // NOLINT
  ObjectRef(const char* name) : ObjectRef(std::string_view(name)) {}                 // NOLINT
  ObjectRef(const std::string& name) : ObjectRef(std::string_view(name)) {}          // NOLINT

  ObjectId id() const noexcept { return id_; }
  /// The name, or "" when the object was referred to by id.
  std::string_view name() const noexcept { return name_; }
  /// The name if any, else the id as text; for messages.
  std::string describe() const;

 private:
  ObjectId id_;
  std::string_view name_;
};

}  // namespace penumbra

template <>
struct std::hash<penumbra::ObjectId> {
  std::size_t operator()(penumbra::ObjectId id) const noexcept { return std::hash<std::uint64_t>{}(id.value); }
};
