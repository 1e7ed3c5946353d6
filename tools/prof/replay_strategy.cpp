// The strategy replay runs: balance::make_strategy with the balance and affinity options the recorded run
// used (its header carries the effective configuration), so a replay differs from the run only in the
// strategy asked for, not in thresholds or weights.
#include "replay_strategy.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::prof {
namespace {

// Config reads its keys from TOML files only, and the header holds each value as TOML text: write them
// back as a file (a temporary one, removed again) rather than parse them a second way.
Config recorded_config(const trace::RunHeader& header) {
  const auto file =
      std::filesystem::temp_directory_path() / fmt::format("penumbra-prof-replay-{}.toml", static_cast<long>(getpid()));
  {
    std::ofstream out(file, std::ios::trunc);
    for (const auto& [key, value] : header.config) out << key << " = " << value << '\n';
  }
  try {
    Config config = Config::from_file(file);
    std::filesystem::remove(file);
    return config;
  } catch (...) {
    std::filesystem::remove(file);
    throw;
  }
}

}  // namespace

ReplayStrategy strategy_for_replay(const std::string& name, const trace::RunHeader& header) {
  ReplayStrategy result;
  Config config;
  try {
    config = recorded_config(header);
    result.options_source = "the recorded run's balance.* and affinity.* options";
  } catch (const ConfigError& error) {
    // A trace from another build may carry keys this one does not know: replay with defaults, and say so.
    // The key names the temporary file after it ("key (file:line)"); only the key means anything here.
    const std::string key = error.key().substr(0, error.key().find(" ("));
    result.options_source =
        fmt::format("default options (this build does not accept the recorded {} = '{}')", key, error.value());
  }
  result.strategy = balance::make_strategy(name, config.balance, config.affinity);
  return result;
}

}  // namespace penumbra::prof
