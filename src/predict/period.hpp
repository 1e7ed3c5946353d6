#pragma once
// Period detection by autocorrelation, for the seasonal model.
#include <cstddef>
#include <span>

namespace penumbra::predict {

/// The period of `values` in [2, max_period], or 0 when there is none.
///
/// A least-squares line is removed first (a trend correlates with itself at every lag and would look like
/// any period). For each lag k up to min(max_period, n / 2) (two full periods must be visible), r_k is the
/// Pearson correlation of the series with itself shifted by k. A lag is a candidate when r_k is a peak
/// (r_k > r_{k-1}, r_k >= r_{k+1}) and r_k >= min_correlation: requiring a peak rejects the slowly
/// decaying correlation of any smooth series, whose largest value is always at the smallest lag. Of the
/// candidates, the smallest lag within 10% of the best correlation wins, so a period P is not reported as
/// its multiple 2P (which correlates as well).
std::size_t detect_period(std::span<const double> values, std::size_t max_period, double min_correlation);

}  // namespace penumbra::predict
