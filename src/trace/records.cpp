// Small helpers around the records: the forecast error, the header's configuration map, times and paths,
// and the trace options' validation.
#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "penumbra/config.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"
#include "penumbra/trace_options.hpp"

namespace penumbra {

void TraceOptions::validate() const {
  // The name becomes a file name on every rank's shared folder: no separators, no shell surprises.
  for (char c : run_name) {
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (!allowed)
      throw ConfigError("trace.run_name", run_name, "letters, digits, '.', '_' and '-' only (it names a file)");
  }
}

namespace trace {

double prediction_error(const std::vector<RankRecord>& ranks) {
  double absolute_error = 0.0;
  double actual = 0.0;
  for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
    const auto& record = ranks[rank];
    const bool valid = std::isfinite(record.predicted_load) && std::isfinite(record.actual_load) &&
                       record.predicted_load >= 0.0 && record.actual_load >= 0.0;
    if (!valid)
      throw InvalidLoad(fmt::format("prediction_error: rank {} has predicted {} and actual {} (expected finite, >= 0)",
                                    rank, record.predicted_load, record.actual_load));
    absolute_error += std::abs(record.predicted_load - record.actual_load);
    actual += record.actual_load;
  }
  return actual > 0.0 ? absolute_error / actual : 0.0;
}

std::map<std::string, std::string> config_entries(const Config& config) {
  std::map<std::string, std::string> entries;
  const std::string text = config.to_string();
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + begin, end - begin);
    if (const auto equals = line.find(" = "); equals != std::string_view::npos)
      entries.emplace(std::string(line.substr(0, equals)), std::string(line.substr(equals + 3)));
    begin = end + 1;
  }
  return entries;
}

std::string iso8601_utc(double unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string default_run_name(double start_unix_seconds, long pid) {
  std::string stamp = iso8601_utc(start_unix_seconds);  // 2026-11-30T04:50:22Z -> 20261130T045022Z
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  return fmt::format("penumbra-{}-{}", stamp, pid);
}

RunHeader run_header(const Config& config, int ranks, int nodes, double start_unix_seconds, long pid) {
  RunHeader header;
  header.run_name = config.trace.run_name.empty() ? default_run_name(start_unix_seconds, pid) : config.trace.run_name;
  header.ranks = ranks;
  header.nodes = nodes;
  header.strategy = config.balance.strategy;
  header.config = config_entries(config);
  header.start_time = iso8601_utc(start_unix_seconds);
  header.start_unix_seconds = start_unix_seconds;
  return header;
}

std::filesystem::path trace_path(const std::filesystem::path& dir, std::string_view run_name) {
  return dir / (std::string(run_name) + std::string(kFileSuffix));
}

}  // namespace trace
}  // namespace penumbra
