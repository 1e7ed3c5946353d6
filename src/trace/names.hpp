#pragma once
// The words the trace file uses for its enums, both ways. Readers get std::nullopt for an unknown word so
// they can report the file, line and field.
#include <optional>
#include <string>
#include <string_view>

#include "penumbra/trace.hpp"

namespace penumbra::trace {

std::optional<Trigger> trigger_from(std::string_view word) noexcept;
std::optional<balance::MoveReason> move_reason_from(std::string_view word) noexcept;
/// The accepted words, for error messages: "periodic, threshold, manual".
std::string trigger_words();
std::string move_reason_words();

}  // namespace penumbra::trace
