#pragma once
// The last `window` values of a series, contiguous (the refitting models read them as one span).
#include <cstddef>
#include <span>
#include <vector>

namespace penumbra::predict {

class History {
 public:
  explicit History(std::size_t window) : window_(window) { values_.reserve(2 * window); }
  /// Appends a value, dropping the oldest beyond the window.
  void push(double value) {
    // Compact only when the buffer reaches twice the window: amortised O(1) per push, always contiguous.
    if (values_.size() - start_ == window_) ++start_;
    values_.push_back(value);
    ++observations_;
    if (values_.size() >= 2 * window_) {
      values_.erase(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(start_));
      start_ = 0;
    }
  }
  /// The kept values, oldest first.
  std::span<const double> values() const noexcept { return std::span<const double>(values_).subspan(start_); }
  /// The newest value (0 when empty).
  double last() const noexcept { return values_.empty() ? 0.0 : values_.back(); }
  /// All values ever pushed (not only the kept ones).
  std::size_t observations() const noexcept { return observations_; }
  void clear() noexcept {
    values_.clear();
    start_ = 0;
    observations_ = 0;
  }

 private:
  std::size_t window_;
  std::vector<double> values_;
  std::size_t start_ = 0;
  std::size_t observations_ = 0;
};

}  // namespace penumbra::predict
