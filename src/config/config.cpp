// Config loading. One table (fields()) drives file parsing, environment parsing, validation, printing and
// the description, so adding a key is one line here and one member in config.hpp (or in a section's struct).
//
// Keys are flat (`epoch_interval`, ranges checked here) or `section.name` for the option structs of the
// policies (ShadowOptions, MonitorOptions, PredictorOptions, AffinityOptions, BalanceOptions), whose own validate()
// owns their ranges; the table only knows how to read and write each value.
#include "penumbra/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>

#include "config/toml_text.hpp"
#include "penumbra/errors.hpp"

extern char** environ;

namespace penumbra {
namespace {

using Words = std::vector<std::string>;
using Value = std::variant<std::int64_t, bool, double, std::string, Words>;

struct Field {
  std::string key;
  const char* help;
  std::function<Value(const Config&)> get;
  std::function<void(Config&, Value)> set;
  /// Throws ConfigError (naming `key` when the value at `key` is the bad one).
  std::function<void(const Config&)> validate;

  std::string env_name() const {
    std::string name = "PENUMBRA_";
    for (char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
  }
};

constexpr std::int64_t kMaxInt = 1'000'000'000;

template <class T>
Field flat(const char* key, const char* help, T Config::*member, std::int64_t min = 0, std::int64_t max = 0) {
  Field field{key, help, [member](const Config& c) { return Value(c.*member); },
              [member](Config& c, Value v) { c.*member = std::get<T>(std::move(v)); }, nullptr};
  if constexpr (std::is_same_v<T, std::int64_t>)
    field.validate = [key, member, min, max](const Config& c) {
      if (c.*member < min || c.*member > max)
        throw ConfigError(key, std::to_string(c.*member), fmt::format("an integer in [{}, {}]", min, max));
    };
  else
    field.validate = [](const Config&) {};
  return field;
}

template <class Section, class T>
Field in_section(const char* section, const char* name, const char* help, Section Config::*part, T Section::*member) {
  return Field{fmt::format("{}.{}", section, name), help,
               [part, member](const Config& c) { return Value((c.*part).*member); },
               [part, member](Config& c, Value v) { (c.*part).*member = std::get<T>(std::move(v)); },
               [part](const Config& c) { (c.*part).validate(); }};
}

template <class T>
Field shadow(const char* name, const char* help, T ShadowOptions::*member) {
  return in_section("shadow", name, help, &Config::shadow, member);
}
template <class T>
Field monitor(const char* name, const char* help, T MonitorOptions::*member) {
  return in_section("monitor", name, help, &Config::monitor, member);
}
template <class T>
Field predictor(const char* name, const char* help, T PredictorOptions::*member) {
  return in_section("predictor", name, help, &Config::predictor, member);
}
template <class T>
Field affinity(const char* name, const char* help, T AffinityOptions::*member) {
  return in_section("affinity", name, help, &Config::affinity, member);
}
template <class T>
Field tracing(const char* name, const char* help, T TraceOptions::*member) {
  return in_section("trace", name, help, &Config::trace, member);
}

// The short variable users type to trace a run (`PENUMBRA_TRACE=dir mpirun ...`): an alias of trace.dir
// that wins over PENUMBRA_TRACE_DIR and the file, because it is the most specific thing a user says.
constexpr const char* kTraceAlias = "PENUMBRA_TRACE";

template <class T>
Field metadata(const char* name, const char* help, T MetadataOptions::*member) {
  return in_section("metadata", name, help, &Config::metadata, member);
}

template <class T>
Field fault(const char* name, const char* help, T FaultOptions::*member) {
  return in_section("fault", name, help, &Config::fault, member);
}

template <class T>
Field balance(const char* name, const char* help, T BalanceOptions::*member) {
  return in_section("balance", name, help, &Config::balance, member);
}

template <class T>
Field tasks(const char* name, const char* help, T TaskOptions::*member) {
  return in_section("tasks", name, help, &Config::tasks, member);
}

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      flat("epoch_interval", "steps between collective shadow epochs (rebalance: balance.epoch_every)",
           &Config::epoch_interval, 1, kMaxInt),
      flat("virtual_nodes", "0 = real hosts; k = split ranks into k virtual nodes", &Config::virtual_nodes, 0,
           1'000'000),
      flat("latency_probe", "measure one-sided latency between every pair of ranks", &Config::latency_probe),
      flat("latency_probe_samples", "gets per pair in the latency probe (median kept)", &Config::latency_probe_samples,
           1, 1000),
      flat("request_doorbell", "requests ring the owner's doorbell; owners check it at every call",
           &Config::request_doorbell),
      flat("progress_thread", "a thread per rank serves requests and pushes while the application computes "
           "(needs MPI_THREAD_MULTIPLE)", &Config::progress_thread),
      flat("progress_thread_max_sleep_us", "longest sleep of an idle progress thread (its longest answer time)",
           &Config::progress_thread_max_sleep_us, 50, 1'000'000),
      flat("check_invariants", "check object invariants after every epoch (collective)", &Config::check_invariants),

      shadow("enabled", "keep shadow copies of hot objects near their readers", &ShadowOptions::enabled),
      shadow("max_copies", "most shadow copies of one object (k)", &ShadowOptions::max_copies),
      shadow("budget_bytes", "bytes per rank for shadows of others' objects (one RMA window)",
             &ShadowOptions::budget_bytes),
      shadow("min_value_us", "a new shadow must save at least this per window", &ShadowOptions::min_value_us),
      shadow("hysteresis_us", "slack that keeps existing shadows from flapping", &ShadowOptions::hysteresis_us),
      shadow("dependency_weight", "read value x (1 + weight x dependents)", &ShadowOptions::dependency_weight),
      shadow("memory_weight_us_per_mib", "rent of shadow memory per MiB per window",
             &ShadowOptions::memory_weight_us_per_mib),
      shadow("trend_damping", "share of the read trend extrapolated without a forecast", &ShadowOptions::trend_damping),
      shadow("headroom_weight", "preference for holders with load headroom", &ShadowOptions::headroom_weight),
      shadow("max_candidates", "heaviest readers considered per object", &ShadowOptions::max_candidates),
      shadow("max_versions_behind", "most versions a shadow may lag once the owner's write returns",
             &ShadowOptions::max_versions_behind),
      shadow("max_age_us", "pending versions are pushed at the owner's next call after this",
             &ShadowOptions::max_age_us),
      shadow("full_replication", "copy every object to every rank with room (comparison runs)",
             &ShadowOptions::full_replication),
      shadow("home_copies", "owners publish remotely read objects in their own window (one-sided reads)",
             &ShadowOptions::home_copies),
      shadow("keep_copies_on_move", "a migrated object keeps its copies; its old owner keeps one where it has room",
             &ShadowOptions::keep_copies_on_move),
      shadow("declared_reads",
             "declared dependencies count as reads to come: a floor under the read forecast, home copies as moves land",
             &ShadowOptions::declared_reads),
      shadow("resident_bytes", "bytes per rank for home copies that are their object's only copy (besides the budget)",
             &ShadowOptions::resident_bytes),
      shadow("observed_costs", "the policy uses measured read and push costs where they exceed the model's",
             &ShadowOptions::observed_costs),
      shadow("history_versions", "versions kept as merge bases for conflicting updates",
             &ShadowOptions::history_versions),

      metadata("enabled", "nearest-copy reads of other ranks' shadows (with shadow.enabled)",
               &MetadataOptions::enabled),
      metadata("mode", "sharded or centralized", &MetadataOptions::mode),
      metadata("replicas", "copies of each metadata shard, the home's included", &MetadataOptions::replicas),
      metadata("slots_per_shard", "records per shard (a power of two)", &MetadataOptions::slots_per_shard),
      metadata("max_locations", "shadow holders one record lists", &MetadataOptions::max_locations),
      metadata("cache_entries", "cached lookups per rank (0: none)", &MetadataOptions::cache_entries),

      fault("rank", "fault injection: the rank that misbehaves (-1 = none, the default)", &FaultOptions::rank),
      fault("receive_budget_bytes", "fault injection: that rank refuses migrated objects beyond this (0 = no limit)",
            &FaultOptions::receive_budget_bytes),
      fault("corrupt_payload", "fault injection: that rank damages what it receives in a migration or restore",
            &FaultOptions::corrupt_payload),
      fault("slow_us", "fault injection: that rank is this late at every migration, checkpoint and restore",
            &FaultOptions::slow_us),
      fault("slow_serve_us", "fault injection: that rank answers every request from another rank this much later",
            &FaultOptions::slow_serve_us),

      monitor("counters", "load source: auto, papi or timers", &MonitorOptions::counters),
      monitor("cpu_share_gap_us", "back-to-back tasks closer than this share readings",
              &MonitorOptions::cpu_share_gap_us),
      monitor("print_notice", "print the one-line load source notice", &MonitorOptions::print_notice),

      predictor("models", "models the ensemble runs, in tie-break order", &PredictorOptions::models),
      predictor("ensemble_window", "one-step errors kept per model to choose one", &PredictorOptions::ensemble_window),
      predictor("history_window", "observations the refitting models keep", &PredictorOptions::history_window),
      predictor("fit_smoothing", "fit ewma/holt smoothing online", &PredictorOptions::fit_smoothing),
      predictor("ewma_alpha", "weight of the newest value (ewma)", &PredictorOptions::ewma_alpha),
      predictor("holt_alpha", "level smoothing (holt)", &PredictorOptions::holt_alpha),
      predictor("holt_beta", "trend smoothing (holt)", &PredictorOptions::holt_beta),
      predictor("holt_damping", "trend damping phi (holt)", &PredictorOptions::holt_damping),
      predictor("seasonal_max_period", "longest period searched (seasonal)", &PredictorOptions::seasonal_max_period),
      predictor("seasonal_min_correlation", "autocorrelation a period needs (seasonal)",
                &PredictorOptions::seasonal_min_correlation),
      predictor("seasonal_alpha", "level smoothing (seasonal)", &PredictorOptions::seasonal_alpha),
      predictor("seasonal_beta", "trend smoothing (seasonal)", &PredictorOptions::seasonal_beta),
      predictor("seasonal_gamma", "season smoothing (seasonal)", &PredictorOptions::seasonal_gamma),
      predictor("ar_order", "p of AR(p)", &PredictorOptions::ar_order),
      predictor("ar_ridge", "ridge regularisation of the AR fit", &PredictorOptions::ar_ridge),
      predictor("spike_sigmas", "clip measured values this many robust deviations over the recent median (0: off)",
                &PredictorOptions::spike_sigmas),

      affinity("locality_weight", "weight of accesses from the candidate", &AffinityOptions::locality_weight),
      affinity("dependency_weight", "weight of dependencies held by the candidate",
               &AffinityOptions::dependency_weight),
      affinity("processing_weight", "weight of processing speed", &AffinityOptions::processing_weight),
      affinity("headroom_weight", "weight of predicted headroom", &AffinityOptions::headroom_weight),
      affinity("proximity_weight", "weight of nearness to the owner", &AffinityOptions::proximity_weight),
      affinity("migration_weight", "weight of the transfer cost", &AffinityOptions::migration_weight),
      affinity("margin", "how much the best rank must beat the owner by", &AffinityOptions::margin),
      affinity("shadow_credit", "a shadowed dependency against an owned one", &AffinityOptions::shadow_credit),
      affinity("uncertainty_weight", "kappa in predicted + kappa x uncertainty", &AffinityOptions::uncertainty_weight),
      affinity("default_bandwidth", "bytes/s between ranks without a measured matrix (also a rebalance plan's move cost)",
               &AffinityOptions::default_bandwidth),
      affinity("full_scan_ranks", "up to this many ranks every rank is a candidate", &AffinityOptions::full_scan_ranks),
      affinity("headroom_candidates", "least-loaded ranks added as candidates above that",
               &AffinityOptions::headroom_candidates),

      balance("strategy", "rebalancing strategy (zoltan only where built; docs/rebalance.md)",
              &BalanceOptions::strategy),
      balance("epoch_every", "rebalance every K steps (0: only when triggered or called)",
              &BalanceOptions::epoch_every),
      balance("threshold", "rebalance when a predicted load exceeds (1 + threshold) x the mean two steps running",
              &BalanceOptions::threshold),
      balance("plan_target", "an epoch of predictive or oracle balances ranks down to (1 + plan_target) x the mean",
              &BalanceOptions::plan_target),
      balance("horizon", "steps ahead the plan's forecast looks", &BalanceOptions::horizon),
      balance("noise_sigmas", "predictive sheds load only this many forecast deviations above the threshold",
              &BalanceOptions::noise_sigmas),
      balance("travel_forecast", "plan objects on an upstream neighbour's past where their load travels",
              &BalanceOptions::travel_forecast),
      balance("overlap_moves", "an epoch's transfers run during the next step's work; owners change at its end",
              &BalanceOptions::overlap_moves),
      tracing("dir", "folder for the epoch trace (empty = off); PENUMBRA_TRACE=dir also sets it",
              &TraceOptions::dir),
      tasks("stealing", "idle ranks take read-only tasks they hold shadows for", &TaskOptions::stealing),
      tasks("on_error", "continue (report through the future) or stop (the step throws)", &TaskOptions::on_error),
      tracing("run_name", "trace file name stem (empty = penumbra-<start time>-<pid>)", &TraceOptions::run_name),
  };
  return table;
}

const Field* find_field(std::string_view key) {
  auto found = std::ranges::find_if(fields(), [&](const Field& f) { return f.key == key; });
  return found == fields().end() ? nullptr : &*found;
}

std::string value_text(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          // Escaped: a value with a quote, backslash or newline (a path from the environment) printed bare
          // made to_string() a file that did not reload (found by fuzz/fuzz_config).
          return config_text::quoted(v);
        else if constexpr (std::is_same_v<T, Words>) {
          std::vector<std::string> quoted;
          for (const auto& word : v) quoted.push_back(config_text::quoted(word));
          return fmt::format("[{}]", fmt::join(quoted, ", "));
        } else if constexpr (std::is_same_v<T, double>)
          // Shortest text that reads back exactly; TOML wants a '.' or an exponent in a float.
          return [&] {
            std::string text = fmt::format("{}", v);
            if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
            return text;
          }();
        else
          return std::to_string(v);
      },
      value);
}

std::string raw_text(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* words = std::get_if<Words>(&value)) return fmt::format("{}", fmt::join(*words, ","));
  return value_text(value);
}

std::string type_text(const Value& example) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          return "true or false";
        else if constexpr (std::is_same_v<T, std::string>)
          return "a string";
        else if constexpr (std::is_same_v<T, Words>)
          return "a list of names";
        else if constexpr (std::is_same_v<T, double>)
          return "a number";
        else
          return "an integer";
      },
      example);
}

// What a field allows, in the words its validation uses: set a value no range admits and read the error,
// so the ranges live in one place (the section's validate() or the flat field's check).
std::string allowed_text(const Field& field) {
  Value probe = field.get(Config{});
  if (std::holds_alternative<bool>(probe)) return "true or false";
  std::visit(
      [](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>) v = std::numeric_limits<std::int64_t>::min();
        if constexpr (std::is_same_v<T, double>) v = std::numeric_limits<double>::quiet_NaN();
        if constexpr (std::is_same_v<T, std::string>) v = "?";
        if constexpr (std::is_same_v<T, Words>) v = Words{};
      },
      probe);
  Config config;
  field.set(config, probe);
  try {
    field.validate(config);
  } catch (const ConfigError& error) {
    if (error.key() == field.key) return error.allowed();
  }
  return type_text(probe);
}

// Where each value set from outside came from (variable name or key (file:line)) and its text as written,
// so that an error found by validation names what the user wrote, not the field inside the struct.
struct Source {
  std::string shown_key;
  std::string text;
};
using Sources = std::map<std::string, Source>;

// Validates after every value is set: some ranges depend on other keys (predictor.ar_order on
// predictor.history_window), so checking one value at a time would reject a valid pair in the wrong order.
void validate_naming_sources(const Config& config, const Sources& sources) {
  try {
    config.validate();
  } catch (const ConfigError& error) {
    auto source = sources.find(error.key());
    if (source != sources.end()) throw ConfigError(source->second.shown_key, source->second.text, error.allowed());
    throw;
  }
}

void assign(Config& config, const Field& field, Sources& sources, const std::string& shown_key, Value value,
            const std::string& text) {
  field.set(config, std::move(value));
  sources[field.key] = Source{shown_key, text};
}

std::string trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

template <class Number>
std::optional<Number> parse_number(const std::string& text) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [rest, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || rest != end) return std::nullopt;
  return value;
}

// Parses an environment string for `field` into `config`; `shown_key` is the variable name for errors.
void assign_from_text(Config& config, Sources& sources, const Field& field, const std::string& shown_key,
                      const std::string& text) {
  const Value example = field.get(config);
  const auto reject = [&] { throw ConfigError(shown_key, text, allowed_text(field)); };
  // A TOML file is UTF-8 by definition; a variable may hold any bytes, which to_string() could not print
  // as TOML (found by fuzz/fuzz_config). Every key's values are text a person wrote: reject, naming it.
  if (!config_text::is_utf8(text)) throw ConfigError(shown_key, text, "UTF-8 text (" + allowed_text(field) + ")");
  if (std::holds_alternative<bool>(example)) {
    static const std::map<std::string, bool> words = {{"1", true},  {"true", true},   {"yes", true}, {"on", true},
                                                      {"0", false}, {"false", false}, {"no", false}, {"off", false}};
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto found = words.find(lower);
    if (found == words.end()) throw ConfigError(shown_key, text, "one of 1/0, true/false, yes/no, on/off");
    return assign(config, field, sources, shown_key, found->second, text);
  }
  if (std::holds_alternative<std::int64_t>(example)) {
    auto value = parse_number<std::int64_t>(text);
    if (!value) reject();
    return assign(config, field, sources, shown_key, *value, text);
  }
  if (std::holds_alternative<double>(example)) {
    auto value = parse_number<double>(text);
    if (!value) reject();
    return assign(config, field, sources, shown_key, *value, text);
  }
  if (std::holds_alternative<std::string>(example)) return assign(config, field, sources, shown_key, text, text);
  Words words;  // comma-separated list
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    words.push_back(trimmed(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  assign(config, field, sources, shown_key, std::move(words), text);
}

std::string toml_text(const toml::node& node) {
  std::ostringstream text;
  node.visit([&text](const auto& value) { text << value; });
  return text.str();
}

void assign_from_toml(Config& config, Sources& sources, const Field& field, const toml::node& node,
                      const std::string& where) {
  const std::string shown_key = fmt::format("{} ({})", field.key, where);
  const std::string text = toml_text(node);
  const Value example = field.get(config);
  std::optional<Value> value;
  if (std::holds_alternative<bool>(example)) {
    if (auto v = node.value_exact<bool>()) value = *v;
  } else if (std::holds_alternative<std::int64_t>(example)) {
    if (auto v = node.value_exact<std::int64_t>()) value = *v;
  } else if (std::holds_alternative<double>(example)) {
    if (node.is_number())
      if (auto v = node.value<double>()) value = *v;  // 1 and 1.0 both mean one
  } else if (std::holds_alternative<std::string>(example)) {
    if (auto v = node.value_exact<std::string>()) value = *v;
  } else if (const auto* array = node.as_array()) {
    Words words;
    for (const auto& item : *array)
      if (auto v = item.value_exact<std::string>()) words.push_back(*v);
    if (words.size() == array->size()) value = std::move(words);
  }
  if (!value) throw ConfigError(shown_key, text, allowed_text(field));
  assign(config, field, sources, shown_key, std::move(*value), text);
}

std::string known_keys() {
  std::string known;
  for (const auto& field : fields()) known += (known.empty() ? "" : ", ") + field.key;
  return known;
}

// Walks the table: flat keys at the top, `section.name` through [section] tables or dotted keys.
void apply_table(Config& config, Sources& sources, const toml::table& table, const std::string& prefix,
                 const std::string& file) {
  for (auto&& [name, node] : table) {
    const std::string key = prefix + std::string(name.str());
    if (const Field* field = find_field(key)) {
      assign_from_toml(config, sources, *field, node, fmt::format("{}:{}", file, node.source().begin.line));
      continue;
    }
    if (const auto* section = node.as_table(); section && prefix.empty()) {
      const bool known_section =
          std::ranges::any_of(fields(), [&](const Field& f) { return f.key.starts_with(key + "."); });
      if (known_section) {
        apply_table(config, sources, *section, key + ".", file);
        continue;
      }
    }
    throw ConfigError(key + " (" + file + ")", "<unknown key>", "one of: " + known_keys());
  }
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
  Sources sources;
  apply_table(config, sources, table, "", file.string());
  validate_naming_sources(config, sources);
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
  Sources sources;
  // Not a structured binding: clang before 16 cannot capture one in the lambda below (the fuzz build uses clang).
  for (const auto& variable : environment) {
    const std::string& name = variable.first;
    const std::string& text = variable.second;
    if (!name.starts_with("PENUMBRA_") || name == kTraceAlias) continue;
    auto field = std::ranges::find_if(fields(), [&](const Field& f) { return f.env_name() == name; });
    if (field != fields().end()) {
      assign_from_text(base, sources, *field, name, text);
      continue;
    }
    // Other PENUMBRA_ variables belong to scripts (PENUMBRA_BUILD_DIR, ...) and are none of our business,
    // unless they are one or two letters away from a key: then they are typos that would drop a setting.
    for (const auto& known : fields())
      if (edit_distance(name, known.env_name()) <= 2)
        throw ConfigError(name, text, "a known variable; did you mean " + known.env_name() + "?");
  }
  if (auto alias = environment.find(kTraceAlias); alias != environment.end())
    assign_from_text(base, sources, *find_field("trace.dir"), kTraceAlias, alias->second);
  validate_naming_sources(base, sources);
  return base;
}

Config Config::with_settings(Config base, const std::vector<std::string>& settings) {
  Sources sources;
  for (const std::string& setting : settings) {
    const auto equals = setting.find('=');
    if (equals == std::string::npos) throw ConfigError("setting", setting, "key=value");
    const std::string key = setting.substr(0, equals);
    const Field* field = find_field(key);
    if (!field) throw ConfigError(key, setting.substr(equals + 1), "a configuration key (penumbra-config lists them)");
    assign_from_text(base, sources, *field, key, setting.substr(equals + 1));
  }
  validate_naming_sources(base, sources);
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
  for (const auto& field : fields()) field.validate(*this);
}

std::string Config::to_string() const {
  std::string text;
  for (const auto& field : fields()) text += fmt::format("{} = {}\n", field.key, value_text(field.get(*this)));
  return text;
}

std::string Config::describe() {
  const Config defaults{};
  std::string text = fmt::format("{:<34} {:<44} {:<12} {}\n", "key", "environment", "default", "allowed");
  for (const auto& field : fields())
    text += fmt::format("{:<34} {:<44} {:<12} {}; {}\n", field.key, field.env_name(), raw_text(field.get(defaults)),
                        allowed_text(field), field.help);
  return text;
}

}  // namespace penumbra
