#include <fmt/format.h>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

void TaskOptions::validate() const {
  if (on_error != "continue" && on_error != "stop")
    throw ConfigError("tasks.on_error", fmt::format("\"{}\"", on_error), "\"continue\" or \"stop\"");
}

}  // namespace penumbra
