// The configuration parser (src/config): a TOML file (Config::from_file) or PENUMBRA_* variables
// (Config::with_environment), then Config::validate as Config::load runs them.
// Input: selector byte; even: the rest is the file; odd: lines of <variable byte><value>, the byte picking
// one of the known variables (from Config::describe) so that values, not names, get explored.
// Property: an accepted configuration's to_string() reloads as a file to the same text (the promise of
// to_string: "so it can be saved and reloaded"); a reload that throws anything is a finding.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "penumbra/config.hpp"

namespace {
constexpr const char* kHarness = "fuzz_config";
using penumbra::Config;

std::vector<std::string> known_variables() {
  std::vector<std::string> names{"PENUMBRA_TRACE"};  // the alias
  std::istringstream table(Config::describe());
  std::string line;
  std::getline(table, line);  // the heading
  while (std::getline(table, line)) {
    std::istringstream columns(line);
    std::string key, variable;
    if (columns >> key >> variable) names.push_back(variable);
  }
  return names;
}

std::map<std::string, std::string> environment(std::string_view text) {
  static const std::vector<std::string> names = known_variables();
  std::map<std::string, std::string> variables;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    if (!line.empty())
      variables[names[static_cast<unsigned char>(line[0]) % names.size()]] = std::string(line.substr(1));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  }
  return variables;
}

void reload(const Config& config, penumbra::fuzz::MemoryFile& file) {
  const std::string text = config.to_string();
  Config again;
  try {
    again = Config::from_file(file.write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
    again.validate();
  } catch (const std::exception& error) {
    penumbra::fuzz::finding(kHarness, std::string("to_string() output does not reload: ") + error.what() +
                                          "\n--- text ---\n" + text);
  }
  penumbra::fuzz::require(again.to_string() == text, kHarness, "to_string() reloads to the same text");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static penumbra::fuzz::MemoryFile file;
  if (size == 0) return 0;
  const auto rest = std::span(data + 1, size - 1);
  penumbra::fuzz::expect_typed_errors(kHarness, [&] {
    Config config;
    if (data[0] % 2 == 0)
      config = Config::from_file(file.write(rest));
    else
      config = Config::with_environment(Config{}, environment({reinterpret_cast<const char*>(rest.data()), rest.size()}));
    config.validate();
    reload(config, file);
  });
  return 0;
}
