#include "penumbra/fault_options.hpp"

#include <fmt/format.h>

#include "penumbra/errors.hpp"

namespace penumbra {

void FaultOptions::validate() const {
  const auto bounded = [](const char* key, std::int64_t value, std::int64_t min, std::int64_t max) {
    if (value < min || value > max)
      throw ConfigError(key, std::to_string(value), fmt::format("an integer in [{}, {}]", min, max));
  };
  bounded("fault.rank", rank, -1, std::int64_t{1} << 20);
  bounded("fault.receive_budget_bytes", receive_budget_bytes, 0, std::int64_t{1} << 50);
  bounded("fault.slow_us", slow_us, 0, 10'000'000);
  bounded("fault.slow_serve_us", slow_serve_us, 0, 10'000'000);
}

}  // namespace penumbra
