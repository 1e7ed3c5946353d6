#include "penumbra/object_id.hpp"

#include <fmt/format.h>

#include "core/checksum.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

ObjectId ObjectId::from_name(std::string_view name) {
  if (name.empty()) throw InvalidArgument("object name is empty (expected a non-empty string or an ObjectId)");
  return ObjectId{mix64(fnv1a64(std::as_bytes(std::span(name.data(), name.size()))))};
}

std::string to_string(ObjectId id) { return fmt::format("0x{:016x}", id.value); }

std::string ObjectRef::describe() const {
  return name_.empty() ? to_string(id_) : fmt::format("'{}' ({})", name_, to_string(id_));
}

}  // namespace penumbra
