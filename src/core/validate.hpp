#pragma once
// Checks shared by the policy options and inputs (monitor, predictor, affinity). Each throws the typed error
// of errors.hpp with a message that names the bad value, so a caller reading a trace or a config file can
// tell which entry is wrong without a debugger.
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

namespace penumbra::check {

/// Shortest text that reads back to the same double ("0.1", "1e-09", "nan", "inf").
std::string number_text(double value);

/// Throws ConfigError(key, value, "[low, high]") unless low <= value <= high (NaN is always out of range).
void in_range(std::string_view key, double value, double low, double high);
/// Throws ConfigError(key, value, "(low, high]") unless low < value <= high.
void in_range_open_low(std::string_view key, double value, double low, double high);
/// Integer version of in_range (a separate name: an int argument would match both overloads).
void integer_in_range(std::string_view key, long long value, long long low, long long high);

/// Throws InvalidLoad("<what> = <value> (expected a finite value >= 0)") unless value is finite and >= 0.
void finite_non_negative(std::string_view what, double value);
/// Throws InvalidLoad("<what> = <value> (expected a finite value > 0)") unless value is finite and > 0.
void finite_positive(std::string_view what, double value);
/// Throws InvalidLoad naming both sizes unless actual == expected.
void same_size(std::string_view what, std::size_t actual, std::size_t expected);

}  // namespace penumbra::check
