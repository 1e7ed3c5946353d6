#include "trace/names.hpp"

#include <array>
#include <utility>

namespace penumbra::trace {
namespace {

// One table per enum, so the writer and the reader cannot disagree on a word.
constexpr std::array<std::pair<Trigger, std::string_view>, 3> kTriggers{{
    {Trigger::periodic, "periodic"},
    {Trigger::threshold, "threshold"},
    {Trigger::manual, "manual"},
}};
constexpr std::array<std::pair<Phase, std::string_view>, kPhaseCount> kPhases{{
    {Phase::snapshot, "snapshot"},
    {Phase::predict, "predict"},
    {Phase::plan, "plan"},
    {Phase::move, "move"},
    {Phase::metadata, "metadata"},
}};
constexpr std::array<std::pair<balance::MoveReason, std::string_view>, 4> kReasons{{
    {balance::MoveReason::overload, "overload"},
    {balance::MoveReason::affinity, "affinity"},
    {balance::MoveReason::rebalance, "rebalance"},
    {balance::MoveReason::node_local, "node_local"},
}};

template <class Table, class Enum>
std::string_view word_of(const Table& table, Enum value) noexcept {
  for (const auto& [known, word] : table)
    if (known == value) return word;
  return "unknown";
}

template <class Table>
auto value_of(const Table& table, std::string_view word) noexcept
    -> std::optional<typename Table::value_type::first_type> {
  for (const auto& [known, name] : table)
    if (name == word) return known;
  return std::nullopt;
}

template <class Table>
std::string words_of(const Table& table) {
  std::string text;
  for (const auto& entry : table) text += (text.empty() ? "" : ", ") + std::string(entry.second);
  return text;
}

}  // namespace

std::string_view to_string(Trigger trigger) noexcept { return word_of(kTriggers, trigger); }
std::string_view to_string(Phase phase) noexcept { return word_of(kPhases, phase); }
std::string_view to_string(balance::MoveReason reason) noexcept { return word_of(kReasons, reason); }
std::optional<Trigger> trigger_from(std::string_view word) noexcept { return value_of(kTriggers, word); }
std::optional<balance::MoveReason> move_reason_from(std::string_view word) noexcept { return value_of(kReasons, word); }
std::string trigger_words() { return words_of(kTriggers); }
std::string move_reason_words() { return words_of(kReasons); }

}  // namespace penumbra::trace
