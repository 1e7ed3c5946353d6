// penumbra-config: every configuration key with its variable, default and allowed values, or the effective
// configuration (defaults, then PENUMBRA_CONFIG's file, then PENUMBRA_* variables) as reloadable TOML.
// No MPI: it answers "what would the Runtime use here?" before a job is launched.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Penumbra configuration keys and the effective configuration"};
  bool effective = false;
  std::string file;
  app.add_flag("--effective", effective, "print the configuration a Runtime would use here, as TOML");
  app.add_option("--file", file, "TOML file to apply (default: $PENUMBRA_CONFIG)");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!effective && file.empty()) {
      std::fputs(penumbra::Config::describe().c_str(), stdout);
      return 0;
    }
    const penumbra::Config config = file.empty() ? penumbra::Config::load() : penumbra::Config::load(file);
    std::fputs(config.to_string().c_str(), stdout);
    return 0;
  } catch (const penumbra::ConfigError& error) {
    std::fprintf(stderr, "penumbra-config: %s\n", error.what());
    return 2;
  }
}
