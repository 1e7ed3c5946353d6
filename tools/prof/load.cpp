#include "load.hpp"

#include "progress.hpp"

namespace penumbra::prof {

trace::Trace load_trace(const std::filesystem::path& path, bool show_progress) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  const bool large = !error && size >= kProgressThresholdBytes;
  if (!show_progress && !large) return trace::read_trace(path);
  ProgressBar bar("reading " + path.filename().string(), show_progress);
  return trace::read_trace(path, [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
}

}  // namespace penumbra::prof
