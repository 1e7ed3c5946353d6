#pragma once
// The task kinds registered on this rank, by name. Every rank must register the same kinds with the same
// types; the scheduler compares digests of the registries at every round, so a rank that forgot one is
// named before any task runs.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "penumbra/tasks.hpp"

namespace penumbra::tasks {

struct RegisteredKind {
  std::string name;
  std::uint64_t args_tag = 0;
  std::uint64_t result_tag = 0;  ///< 0: void
  detail::ErasedTask function;
};

class KindRegistry {
 public:
  /// UnknownTaskKind if the name is empty or already registered.
  void add(RegisteredKind kind);
  /// nullptr if not registered here.
  const RegisteredKind* find(std::string_view name) const;
  /// The kind called `name` with these argument and result types; UnknownTaskKind naming the kind otherwise.
  const RegisteredKind& expect(std::string_view name, std::uint64_t args_tag, std::uint64_t result_tag) const;
  /// Digest of every name and its types (equal registries, equal digests; registration order does not matter).
  std::uint64_t digest() const noexcept { return digest_; }
  std::size_t size() const noexcept { return kinds_.size(); }

 private:
  std::map<std::string, RegisteredKind, std::less<>> kinds_;
  std::uint64_t digest_ = 0;
};

}  // namespace penumbra::tasks
