#pragma once
// A user type whose serialization throws on demand, shared by the migration and checkpoint suites (a fault a
// real type can have: a pointer it cannot follow). Set penumbra::test_types::g_fail_serialization to arm it.
#include <boost/serialization/string.hpp>
#include <stdexcept>
#include <string>

namespace penumbra::test_types {

inline bool g_fail_serialization = false;
struct Fragile {
  int payload = 0;
  std::string padding = "not trivially copyable";
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    if (g_fail_serialization && Archive::is_saving::value) throw std::runtime_error("Fragile refuses to serialize");
    archive& payload& padding;
  }
};

}  // namespace penumbra::test_types
