#pragma once
// A one-line progress bar on stderr for long inputs: drawn only when stderr is a terminal (or when asked),
// so logs and pipes never fill with carriage returns.
#include <cstdint>
#include <string>

namespace penumbra::prof {

class ProgressBar {
 public:
  /// `forced`: draw even when stderr is not a terminal (--progress).
  ProgressBar(std::string label, bool forced);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::uint64_t done, std::uint64_t total);
  /// Ends the line (also done by the destructor).
  void finish();
  bool enabled() const noexcept { return enabled_; }

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

}  // namespace penumbra::prof
