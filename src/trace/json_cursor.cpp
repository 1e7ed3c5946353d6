#include "trace/json_cursor.hpp"

#include <fmt/format.h>

#include <limits>

#include "penumbra/errors.hpp"

namespace penumbra::trace {
namespace {

// What the file holds instead, shortened: a message must stay one readable line even for a huge value.
// Arrays and objects are described, not dumped: dump() recurses once per nesting level, so a hand-made
// line of 100,000 nested brackets overflowed the stack here (found with fuzz/fuzz_trace_reader).
std::string shown(const nlohmann::json& value) {
  if (value.is_array()) return fmt::format("an array of {} elements", value.size());
  if (value.is_object()) return fmt::format("an object of {} members", value.size());
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

std::string JsonCursor::path_of(std::string_view key) const {
  if (key.empty()) return path_;
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

void JsonCursor::fail(std::string_view key, std::string_view problem) const {
  throw TraceError(where_->file, where_->line, path_of(key), std::string(problem));
}

bool JsonCursor::has(std::string_view key) const { return node_->is_object() && node_->contains(key); }

const nlohmann::json& JsonCursor::member(std::string_view key, std::string_view expected) const {
  if (!node_->is_object()) fail("", fmt::format("expected an object, found {}", shown(*node_)));
  auto found = node_->find(key);
  if (found == node_->end()) fail(key, fmt::format("missing (expected {})", expected));
  return *found;
}

JsonCursor JsonCursor::at(std::string_view key) const {
  const auto& value = member(key, "an object");
  if (!value.is_object()) fail(key, fmt::format("expected an object, found {}", shown(value)));
  return JsonCursor(value, path_of(key), *where_);
}

std::vector<JsonCursor> JsonCursor::elements(std::string_view key) const {
  const auto& value = member(key, "an array");
  if (!value.is_array()) fail(key, fmt::format("expected an array, found {}", shown(value)));
  std::vector<JsonCursor> result;
  result.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i)
    result.emplace_back(value[i], fmt::format("{}[{}]", path_of(key), i), *where_);
  return result;
}

double JsonCursor::number(std::string_view key) const {
  const auto& value = member(key, "a number");
  if (!value.is_number()) fail(key, fmt::format("expected a number, found {}", shown(value)));
  return value.get<double>();
}

std::optional<double> JsonCursor::optional_number(std::string_view key) const {
  if (!has(key) || node_->at(key).is_null()) return std::nullopt;
  return number(key);
}

std::int64_t JsonCursor::integer(std::string_view key) const {
  const auto& value = member(key, "an integer");
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max())
    fail(key, fmt::format("expected an integer below 2^63, found {}", shown(value)));
  if (!value.is_number_integer()) fail(key, fmt::format("expected an integer, found {}", shown(value)));
  return value.get<std::int64_t>();
}

std::uint64_t JsonCursor::count(std::string_view key) const {
  const auto& value = member(key, "a non-negative integer");
  // nlohmann-json parses every non-negative integer literal as unsigned, so this rejects -1 and 1.5.
  if (!value.is_number_unsigned()) fail(key, fmt::format("expected a non-negative integer, found {}", shown(value)));
  return value.get<std::uint64_t>();
}

int JsonCursor::small_integer(std::string_view key, int min, int max) const {
  const std::int64_t value = integer(key);
  if (value < min || value > max) fail(key, fmt::format("expected an integer in [{}, {}], found {}", min, max, value));
  return static_cast<int>(value);
}

double JsonCursor::as_number() const {
  if (!node_->is_number()) fail("", fmt::format("expected a number, found {}", shown(*node_)));
  return node_->get<double>();
}

std::string JsonCursor::text(std::string_view key) const {
  const auto& value = member(key, "a string");
  if (!value.is_string()) fail(key, fmt::format("expected a string, found {}", shown(value)));
  return value.get<std::string>();
}

}  // namespace penumbra::trace
