#pragma once
// Text as TOML needs it: Config::to_string() must print every accepted value so that the file reloads
// (penumbra-config --effective > file; PENUMBRA_CONFIG=file). Pure.
#include <string>
#include <string_view>

namespace penumbra::config_text {

/// True iff `text` is well-formed UTF-8 (TOML files are UTF-8; an environment value may be any bytes).
bool is_utf8(std::string_view text) noexcept;

/// `text` as a TOML basic string: in double quotes, with `"`, `\` and control characters escaped.
/// `text` must be UTF-8 (is_utf8).
std::string quoted(std::string_view text);

}  // namespace penumbra::config_text
