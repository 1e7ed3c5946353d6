#pragma once
// A read-only view of one JSON value inside one line of a trace file, which knows where it is (file, line,
// JSON path) so that every "missing" or "wrong type" is reported as a TraceError naming the file, the line
// and the field. nlohmann-json parses; this only checks and converts.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace penumbra::trace {

/// Where a line came from.
struct LineLocation {
  std::string file;
  std::size_t line = 0;
};

class JsonCursor {
 public:
  JsonCursor(const nlohmann::json& node, std::string path, const LineLocation& where)
      : node_(&node), path_(std::move(path)), where_(&where) {}

  /// The member `key`, which must exist.
  JsonCursor at(std::string_view key) const;
  bool has(std::string_view key) const;
  /// The elements of the array member `key` (which must be an array).
  std::vector<JsonCursor> elements(std::string_view key) const;

  double number(std::string_view key) const;
  /// A number, or nullopt when the member is null or absent.
  std::optional<double> optional_number(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  std::uint64_t count(std::string_view key) const;  ///< a non-negative integer
  /// An integer in [min, max] that fits an int (ranks, nodes, rounds).
  int small_integer(std::string_view key, int min, int max) const;
  std::string text(std::string_view key) const;
  /// This value itself as a number (array elements).
  double as_number() const;
  /// The members of this object as (key, value) pairs, for maps with free keys.
  auto items() const { return node_->items(); }

  /// Throws TraceError for member `key` (or this value itself when key is empty).
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;
  const std::string& path() const noexcept { return path_; }

 private:
  const nlohmann::json& member(std::string_view key, std::string_view expected) const;
  std::string path_of(std::string_view key) const;

  const nlohmann::json* node_;
  std::string path_;
  const LineLocation* where_;
};

}  // namespace penumbra::trace
