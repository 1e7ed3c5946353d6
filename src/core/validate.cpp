#include "core/validate.hpp"

#include <fmt/format.h>

#include "penumbra/errors.hpp"

namespace penumbra::check {

std::string number_text(double value) { return fmt::format("{}", value); }

void in_range(std::string_view key, double value, double low, double high) {
  if (!(value >= low && value <= high))
    throw ConfigError(std::string(key), number_text(value),
                      fmt::format("a number in [{}, {}]", number_text(low), number_text(high)));
}

void in_range_open_low(std::string_view key, double value, double low, double high) {
  if (!(value > low && value <= high))
    throw ConfigError(std::string(key), number_text(value),
                      fmt::format("a number in ({}, {}]", number_text(low), number_text(high)));
}

void integer_in_range(std::string_view key, long long value, long long low, long long high) {
  if (value < low || value > high)
    throw ConfigError(std::string(key), std::to_string(value), fmt::format("an integer in [{}, {}]", low, high));
}

void finite_non_negative(std::string_view what, double value) {
  if (!(std::isfinite(value) && value >= 0.0))
    throw InvalidLoad(fmt::format("{} = {} (expected a finite value >= 0)", what, number_text(value)));
}

void finite_positive(std::string_view what, double value) {
  if (!(std::isfinite(value) && value > 0.0))
    throw InvalidLoad(fmt::format("{} = {} (expected a finite value > 0)", what, number_text(value)));
}

void same_size(std::string_view what, std::size_t actual, std::size_t expected) {
  if (actual != expected) throw InvalidLoad(fmt::format("{} has {} entries (expected {})", what, actual, expected));
}

}  // namespace penumbra::check
