// Config loading. One table (kFields) drives file parsing, environment parsing, validation, printing and
// the description, so adding a key is one line here and one member in config.hpp.
#include "penumbra/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <optional>
#include <sstream>
#include <variant>

#include "penumbra/errors.hpp"

extern char** environ;

namespace penumbra {
namespace {

struct IntRange {
  std::int64_t min, max;
};

struct Field {
  const char* key;
  const char* help;
  std::variant<std::int64_t Config::*, bool Config::*> member;
  IntRange range{};  // integers only

  std::string env_name() const {
    std::string name = "PENUMBRA_";
    for (const char* c = key; *c; ++c) name += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return name;
  }
};

constexpr std::int64_t kMaxInt = 1'000'000'000;

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      {"epoch_interval", "steps between collective rebalance epochs", &Config::epoch_interval, {1, kMaxInt}},
      {"virtual_nodes", "0 = real hosts; k = split ranks into k virtual nodes", &Config::virtual_nodes, {0, 1'000'000}},
      {"latency_probe", "measure one-sided latency between every pair of ranks", &Config::latency_probe},
      {"latency_probe_samples",
       "gets per pair in the latency probe (median kept)",
       &Config::latency_probe_samples,
       {1, 1000}},
      {"check_invariants", "check object invariants after every epoch (collective)", &Config::check_invariants},
      {"shadows", "keep shadow copies of hot objects near their readers", &Config::shadows},
      {"shadow_budget_bytes", "bytes per rank for shadows of others' objects", &Config::shadow_budget_bytes,
       {0, std::int64_t{1} << 40}},
      {"shadow_max_copies", "most shadow copies of one object (k)", &Config::shadow_max_copies, {1, 1'000'000}},
      {"shadow_max_versions_behind", "most versions a shadow may lag its owner", &Config::shadow_max_versions_behind,
       {0, kMaxInt}},
      {"shadow_max_age_us", "microseconds before a pending version must be pushed", &Config::shadow_max_age_us,
       {1, kMaxInt}},
  };
  return table;
}

std::string allowed_text(const Field& field) {
  if (std::holds_alternative<bool Config::*>(field.member)) return "true or false";
  return fmt::format("an integer in [{}, {}]", field.range.min, field.range.max);
}

void check_range(const Field& field, const std::string& shown_key, std::int64_t value) {
  if (value < field.range.min || value > field.range.max)
    throw ConfigError(shown_key, std::to_string(value), allowed_text(field));
}

// Parses an environment string for `field` into `config`; `shown_key` is the variable name for errors.
void assign_from_text(Config& config, const Field& field, const std::string& shown_key, const std::string& text) {
  if (auto* member = std::get_if<bool Config::*>(&field.member)) {
    static const std::map<std::string, bool> words = {{"1", true},  {"true", true},   {"yes", true}, {"on", true},
                                                      {"0", false}, {"false", false}, {"no", false}, {"off", false}};
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto found = words.find(lower);
    if (found == words.end()) throw ConfigError(shown_key, text, "one of 1/0, true/false, yes/no, on/off");
    config.*(*member) = found->second;
    return;
  }
  auto member = std::get<std::int64_t Config::*>(field.member);
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, error] = std::from_chars(begin, end, value);
  if (text.empty() || error != std::errc{} || rest != end) throw ConfigError(shown_key, text, allowed_text(field));
  check_range(field, shown_key, value);
  config.*member = value;
}

std::string toml_text(const toml::node& node) {
  std::ostringstream text;
  node.visit([&text](const auto& value) { text << value; });
  return text.str();
}

void assign_from_toml(Config& config, const Field& field, const toml::node& node, const std::string& where) {
  const std::string shown_key = fmt::format("{} ({})", field.key, where);
  if (auto* member = std::get_if<bool Config::*>(&field.member)) {
    auto value = node.value_exact<bool>();
    if (!value) throw ConfigError(shown_key, toml_text(node), allowed_text(field));
    config.*(*member) = *value;
    return;
  }
  auto value = node.value_exact<std::int64_t>();
  if (!value) throw ConfigError(shown_key, toml_text(node), allowed_text(field));
  check_range(field, shown_key, *value);
  config.*std::get<std::int64_t Config::*>(field.member) = *value;
}

std::string value_text(const Config& config, const Field& field) {
  if (auto* member = std::get_if<bool Config::*>(&field.member)) return config.*(*member) ? "true" : "false";
  return std::to_string(config.*std::get<std::int64_t Config::*>(field.member));
}

Config apply_file(Config config, const std::filesystem::path& file) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(
        "PENUMBRA_CONFIG", file.string(),
        fmt::format("a readable TOML file (line {}, column {}: {})", where.line, where.column, error.description()));
  }
  for (auto&& [key, node] : table) {
    const Field* field = nullptr;
    for (const auto& candidate : fields())
      if (key.str() == candidate.key) field = &candidate;
    if (!field) {
      std::string known;
      for (const auto& candidate : fields()) known += std::string(known.empty() ? "" : ", ") + candidate.key;
      throw ConfigError(std::string(key.str()) + " (" + file.string() + ")", "<unknown key>", "one of: " + known);
    }
    const auto line = node.source().begin.line;
    assign_from_toml(config, *field, node, fmt::format("{}:{}", file.string(), line));
  }
  return config;
}

// Levenshtein distance, for spotting misspelt variable names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> result;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with("PENUMBRA_")) continue;
    auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    result.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return result;
}

}  // namespace

ConfigError::ConfigError(std::string key, std::string value, std::string allowed)
    : Error(fmt::format("invalid configuration: {} = '{}' (expected {})", key, value, allowed)),
      key_(std::move(key)),
      value_(std::move(value)),
      allowed_(std::move(allowed)) {}

Config Config::from_file(const std::filesystem::path& file) { return apply_file(Config{}, file); }

Config Config::with_environment(Config base, const std::map<std::string, std::string>& environment) {
  for (const auto& [name, text] : environment) {
    if (!name.starts_with("PENUMBRA_")) continue;
    auto field = std::ranges::find_if(fields(), [&](const Field& f) { return f.env_name() == name; });
    if (field != fields().end()) {
      assign_from_text(base, *field, name, text);
      continue;
    }
    // Other PENUMBRA_ variables belong to scripts (PENUMBRA_BUILD_DIR, ...) and are none of our business,
    // unless they are one or two letters away from a key: then they are typos that would drop a setting.
    for (const auto& known : fields())
      if (edit_distance(name, known.env_name()) <= 2)
        throw ConfigError(name, text, "a known variable; did you mean " + known.env_name() + "?");
  }
  return base;
}

Config Config::load(const std::filesystem::path& file) {
  Config config = file.empty() ? Config{} : from_file(file);
  config = with_environment(config, process_environment());
  config.validate();
  return config;
}

Config Config::load() {
  const char* file = std::getenv("PENUMBRA_CONFIG");
  return load(file ? std::filesystem::path(file) : std::filesystem::path{});
}

void Config::validate() const {
  for (const auto& field : fields()) {
    if (auto* member = std::get_if<std::int64_t Config::*>(&field.member))
      check_range(field, field.key, this->*(*member));
  }
}

std::string Config::to_string() const {
  std::string text;
  for (const auto& field : fields()) text += fmt::format("{} = {}\n", field.key, value_text(*this, field));
  return text;
}

std::string Config::describe() {
  const Config defaults{};
  std::string text = fmt::format("{:<24} {:<32} {:<8} {}\n", "key", "environment", "default", "allowed");
  for (const auto& field : fields())
    text += fmt::format("{:<24} {:<32} {:<8} {}; {}\n", field.key, field.env_name(), value_text(defaults, field),
                        allowed_text(field), field.help);
  return text;
}

}  // namespace penumbra
