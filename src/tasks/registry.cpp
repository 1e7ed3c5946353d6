#include "tasks/registry.hpp"

#include <fmt/format.h>

#include "core/checksum.hpp"

namespace penumbra::tasks {

void KindRegistry::add(RegisteredKind kind) {
  if (kind.name.empty()) throw UnknownTaskKind("register_task: the task kind's name is empty");
  if (!kind.function) throw InvalidArgument(fmt::format("register_task('{}'): the function is empty", kind.name));
  if (kinds_.contains(kind.name))
    throw UnknownTaskKind(fmt::format("register_task: task kind '{}' is already registered", kind.name));
  // Sum of per-kind hashes: independent of registration order.
  const std::string described = fmt::format("{}/{:x}/{:x}", kind.name, kind.args_tag, kind.result_tag);
  digest_ += checksum64(std::as_bytes(std::span(described.data(), described.size())));
  kinds_.emplace(kind.name, std::move(kind));
}

const RegisteredKind* KindRegistry::find(std::string_view name) const {
  const auto found = kinds_.find(name);
  return found == kinds_.end() ? nullptr : &found->second;
}

const RegisteredKind& KindRegistry::expect(std::string_view name, std::uint64_t args_tag,
                                           std::uint64_t result_tag) const {
  const RegisteredKind* kind = find(name);
  if (!kind) throw UnknownTaskKind(fmt::format("task kind '{}' is not registered on this rank", name));
  if (kind->args_tag != args_tag || kind->result_tag != result_tag)
    throw UnknownTaskKind(fmt::format(
        "task kind '{}' was registered with other argument or result types (tags {:#x} -> {:#x}, asked {:#x} -> {:#x})",
        name, kind->args_tag, kind->result_tag, args_tag, result_tag));
  return *kind;
}

}  // namespace penumbra::tasks
