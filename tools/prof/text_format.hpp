#pragma once
// Number formats shared by the text tables of summary, compare and replay.
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>

namespace penumbra::prof {

inline std::string percent_or_dash(const std::optional<double>& fraction) {
  return fraction ? fmt::format("{:.1f}", 100.0 * *fraction) : "-";
}

inline std::string hit_rate(std::uint64_t hits, std::uint64_t misses) {
  return hits + misses == 0
             ? "-"
             : fmt::format("{:.1f}", 100.0 * static_cast<double>(hits) / static_cast<double>(hits + misses));
}

inline std::string bytes_text(std::uint64_t bytes) {
  if (bytes >= (1u << 30)) return fmt::format("{:.1f}G", static_cast<double>(bytes) / (1u << 30));
  if (bytes >= (1u << 20)) return fmt::format("{:.1f}M", static_cast<double>(bytes) / (1u << 20));
  if (bytes >= (1u << 10)) return fmt::format("{:.1f}K", static_cast<double>(bytes) / (1u << 10));
  return fmt::format("{}", bytes);
}

inline double ms(double seconds) { return 1e3 * seconds; }

}  // namespace penumbra::prof
