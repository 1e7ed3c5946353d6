#include "predict/travelling_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "penumbra/errors.hpp"

namespace penumbra {
namespace {

// Own-history forecasts need this many past steps at an origin: a line through the last 6.
constexpr int kTrendPoints = 6;
constexpr int kLevelPoints = 3;
// A long level: on a load that only wobbles, averaging more steps beats any leader (its noise is averaged too).
constexpr int kLongLevelPoints = 12;
// Relative variance below which a series counts as flat (rounding of a constant series is ~1e-16 relative).
constexpr double kFlatVariance = 1e-12;

void check(const TravellingLoadInput& input, const TravellingLoadOptions& options) {
  const std::size_t n = input.recent.size();
  if (input.neighbours.size() != n || input.own_forecast.size() != n)
    throw InvalidArgument(
        fmt::format("travelling loads: {} series, {} neighbour lists, {} own forecasts (expected "
                    "the same number)",
                    n, input.neighbours.size(), input.own_forecast.size()));
  if (input.horizon < 1)
    throw InvalidArgument(fmt::format("travelling loads: horizon = {} (expected >= 1)", input.horizon));
  if (options.max_hops < 1 || options.max_lag < 1 || options.min_pairs < 1 || options.min_origins < 1)
    throw InvalidArgument(
        fmt::format("travelling loads: max_hops = {}, max_lag = {}, min_pairs = {}, min_origins = "
                    "{} (expected each >= 1)",
                    options.max_hops, options.max_lag, options.min_pairs, options.min_origins));
  if (!(options.front_ratio >= 0.0 && options.front_ratio <= 1.0))
    throw InvalidArgument(fmt::format("travelling loads: front_ratio = {} (expected in [0, 1])", options.front_ratio));
  if (!(options.margin > 0.0 && options.margin <= 1.0))
    throw InvalidArgument(fmt::format("travelling loads: margin = {} (expected in (0, 1])", options.margin));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < input.recent[i].size(); ++s) {
      const double value = input.recent[i][s];
      if (!(std::isfinite(value) && value >= 0.0))
        throw InvalidLoad(
            fmt::format("travelling loads: recent[{}][{}] = {} (expected a finite cost >= 0)", i, s, value));
    }
    for (std::uint32_t neighbour : input.neighbours[i])
      if (neighbour >= n)
        throw InvalidArgument(
            fmt::format("travelling loads: neighbours[{}] holds {} (expected a position < {})", i, neighbour, n));
    const double own = input.own_forecast[i];
    if (!(std::isfinite(own) && own >= 0.0))
      throw InvalidLoad(fmt::format("travelling loads: own_forecast[{}] = {} (expected a finite cost >= 0)", i, own));
  }
  for (std::uint32_t target : input.targets)
    if (target >= n)
      throw InvalidArgument(fmt::format("travelling loads: target {} (expected a position < {})", target, n));
}

// The own-history forecasts of the mean over steps tau+1..tau+horizon, from x[0..tau].
double level_forecast(const std::vector<double>& x, int tau, int points) {
  points = std::min(points, tau + 1);
  double sum = 0.0;
  for (int k = 0; k < points; ++k) sum += x[tau - k];
  return sum / points;
}

double trend_forecast(const std::vector<double>& x, int tau, int horizon) {
  // Least squares line through (k, x[tau - 5 + k]), k = 0..5, read at the middle of the horizon.
  const double mean_k = (kTrendPoints - 1) / 2.0;
  double mean_x = 0.0;
  for (int k = 0; k < kTrendPoints; ++k) mean_x += x[tau - kTrendPoints + 1 + k];
  mean_x /= kTrendPoints;
  double sxy = 0.0, sxx = 0.0;
  for (int k = 0; k < kTrendPoints; ++k) {
    sxy += (k - mean_k) * (x[tau - kTrendPoints + 1 + k] - mean_x);
    sxx += (k - mean_k) * (k - mean_k);
  }
  const double at = (kTrendPoints - 1) + (horizon + 1) / 2.0;
  return std::max(0.0, mean_x + sxy / sxx * (at - mean_k));
}

// Leader c with lag L, in the follower's time: x_c at follower step s is leader[s - offset].
struct Follow {
  const std::vector<double>& leader;
  const std::vector<double>& leader_sums;  // leader_sums[k] = leader[0] + ... + leader[k - 1]
  int offset;                              // follower length - leader length
  int lag;

  double leader_at(int s) const { return leader[s - offset]; }
  // First follower step with a pair (x_i(s), x_c(s - lag)).
  int first_pair() const { return lag + std::max(offset, 0); }
  // Mean of the next `horizon` steps from origin tau, with the leader's data up to tau only; the steps the
  // lag does not cover repeat the leader's latest value. O(1): a difference of the leader's running sums.
  double forecast(int tau, int horizon, double scale) const {
    const int covered = std::min(lag, horizon);  // steps tau+1..tau+covered read leader steps tau+1-lag..
    const int from = tau + 1 - lag - offset;
    const double sum = leader_sums[from + covered] - leader_sums[from] + (horizon - covered) * leader_at(tau);
    return scale * sum / horizon;
  }
};

// The objects within `max_hops` of `from`: their hops (-1 beyond, 0 for `from`) and the order breadth first found
// them in (nearest first, in neighbour-list order: deterministic), `from` excluded.
struct Reach {
  std::vector<int> hops;
  std::vector<std::uint32_t> order;
};

Reach reach_from(const TravellingLoadInput& input, std::uint32_t from, int max_hops) {
  Reach reach{std::vector<int>(input.recent.size(), -1), {}};
  std::vector<std::uint32_t> frontier{from};
  reach.hops[from] = 0;
  for (int hop = 1; hop <= max_hops && !frontier.empty(); ++hop) {
    std::vector<std::uint32_t> next;
    for (std::uint32_t at : frontier)
      for (std::uint32_t neighbour : input.neighbours[at])
        if (reach.hops[neighbour] < 0) {
          reach.hops[neighbour] = hop;
          next.push_back(neighbour);
          reach.order.push_back(neighbour);
        }
    frontier = std::move(next);
  }
  return reach;
}

TravellingLoadForecast own_only(double per_step) {
  TravellingLoadForecast forecast;
  forecast.per_step = per_step;
  return forecast;
}

std::vector<double> running_sums(const std::vector<double>& values) {
  std::vector<double> sums(values.size() + 1, 0.0);
  for (std::size_t k = 0; k < values.size(); ++k) sums[k + 1] = sums[k] + values[k];
  return sums;
}

// The second pass (travelling_load.hpp): a target no leader explained takes the leader of the nearest clear
// follower whose leader lies beyond it. Reads the first pass's choices only, so target order does not matter.
void follow_at_the_front(const TravellingLoadInput& input, const TravellingLoadOptions& options,
                         const std::vector<std::vector<double>>& sums, const std::vector<std::uint32_t>& targets,
                         std::vector<TravellingLoadForecast>& result) {
  const std::vector<TravellingLoadForecast> first = result;
  for (std::uint32_t i : targets) {
    if (first[i].leader) continue;
    const std::vector<double>& x = input.recent[i];
    const int length = static_cast<int>(x.size());
    if (length - 1 - input.horizon < kTrendPoints - 1) continue;  // as short as the first pass skips
    const Reach reach = reach_from(input, i, 2 * options.max_hops);
    for (std::uint32_t k : reach.order) {
      if (reach.hops[k] > options.max_hops) break;  // nearest first: no closer follower was found
      const TravellingLoadForecast& via = first[k];
      if (!via.leader || !(via.own_error > 0.0) ||
          via.backtest_error > options.front_ratio * options.margin * via.own_error)
        continue;
      const std::uint32_t c = *via.leader;
      const int hops_from_k = reach_from(input, k, options.max_hops).hops[c];
      // Beyond k: the leader is as far from us as k is plus k's own distance to it (not beside or behind us).
      if (hops_from_k < 1 || reach.hops[c] != reach.hops[k] + hops_from_k) continue;
      const int lag = static_cast<int>(std::lround(static_cast<double>(via.lag) * reach.hops[c] / hops_from_k));
      const std::vector<double>& leader = input.recent[c];
      const Follow follow{leader, sums[c], length - static_cast<int>(leader.size()), lag};
      const int first_pair = follow.first_pair();
      if (length - first_pair < options.min_pairs) continue;
      double xy = 0.0, yy = 0.0;
      for (int s = first_pair; s < length; ++s) {
        const double y = follow.leader_at(s - lag);
        xy += x[s] * y;
        yy += y * y;
      }
      if (!(yy > 0.0)) continue;
      result[i] = {.per_step = follow.forecast(length - 1, input.horizon, xy / yy),
                   .leader = c,
                   .lag = lag,
                   .scale = xy / yy,
                   .backtest_error = 0.0,
                   .own_error = 0.0,
                   .through = k};
      break;
    }
  }
}

}  // namespace

std::vector<TravellingLoadForecast> forecast_travelling_loads(const TravellingLoadInput& input,
                                                              const TravellingLoadOptions& options) {
  check(input, options);
  const std::size_t n = input.recent.size();
  const int horizon = input.horizon;
  std::vector<TravellingLoadForecast> result(n);
  std::vector<std::vector<double>> sums(n);
  for (std::size_t i = 0; i < n; ++i) sums[i] = running_sums(input.recent[i]);
  std::vector<double> actual, level_error, long_level_error, trend_error, cross, square;
  for (std::size_t i = 0; i < n; ++i) result[i].per_step = input.own_forecast[i];
  // The targets, and the objects within max_hops of them: a target at the front of a load may take the leader
  // of a follower owned elsewhere, whose choice this rank must then make too (the same everywhere: same input).
  std::vector<std::uint32_t> targets = input.targets, computed;
  if (targets.empty())
    for (std::uint32_t i = 0; i < n; ++i) targets.push_back(i);
  std::vector<bool> is_target(n, false), is_computed(n, false);
  const auto compute = [&](std::uint32_t i) {
    if (!is_computed[i]) computed.push_back(i);
    is_computed[i] = true;
  };
  for (std::uint32_t i : targets) {
    is_target[i] = true;
    compute(i);
    if (options.front_ratio > 0.0)
      for (std::uint32_t near : reach_from(input, i, options.max_hops).order) compute(near);
  }
  for (std::uint32_t i : computed) {
    const std::vector<double>& x = input.recent[i];
    const int length = static_cast<int>(x.size());
    const int last_origin = length - 1 - horizon;  // an origin needs its next `horizon` steps observed
    if (last_origin < kTrendPoints - 1) continue;
    // Own-history errors per origin, for the comparison on the same origins as each leader.
    actual.assign(length, 0.0);
    level_error.assign(length, 0.0);
    long_level_error.assign(length, 0.0);
    trend_error.assign(length, 0.0);
    for (int tau = 0; tau <= last_origin; ++tau)
      actual[tau] = (sums[i][tau + 1 + horizon] - sums[i][tau + 1]) / horizon;
    for (int tau = kTrendPoints - 1; tau <= last_origin; ++tau) {
      level_error[tau] = std::abs(level_forecast(x, tau, kLevelPoints) - actual[tau]);
      long_level_error[tau] = std::abs(level_forecast(x, tau, kLongLevelPoints) - actual[tau]);
      trend_error[tau] = std::abs(trend_forecast(x, tau, horizon) - actual[tau]);
    }
    double best_ratio = options.margin;
    for (std::uint32_t c : reach_from(input, i, options.max_hops).order) {
      const std::vector<double>& leader = input.recent[c];
      for (int lag = 1; lag <= options.max_lag; ++lag) {
        const Follow follow{leader, sums[c], length - static_cast<int>(leader.size()), lag};
        const int first = follow.first_pair();
        if (first >= length) continue;
        // Running sums of the scale's least squares: s = sum x_i x_c / sum x_c^2 over the pairs up to tau.
        cross.assign(length, 0.0);
        square.assign(length, 0.0);
        double xy = 0.0, yy = 0.0, sum_x = 0.0, sum_y = 0.0, xx = 0.0;
        for (int s = first; s < length; ++s) {
          const double y = follow.leader_at(s - lag);
          xy += x[s] * y;
          yy += y * y;
          sum_x += x[s];
          sum_y += y;
          xx += x[s] * x[s];
          cross[s] = xy;
          square[s] = yy;
        }
        // The shapes must match, not only the levels: on loads that only wobble, some leader among the ~100
        // tried beats the own history by luck, but its wobbles do not line up with this object's.
        const double pairs = length - first;
        const double covariance = xy - sum_x * sum_y / pairs;
        const double spread = (xx - sum_x * sum_x / pairs) * (yy - sum_y * sum_y / pairs);
        // A flat series has no shape to match: its variance is 0, up to the rounding of xx - sum_x^2 / pairs,
        // which alone gave flat objects "leaders" (a relative bar, not 0).
        if (!(spread > kFlatVariance * xx * yy) || covariance / std::sqrt(spread) < options.min_correlation) continue;
        const int first_origin = std::max(kTrendPoints - 1, first + options.min_pairs - 1);
        double error = 0.0, level = 0.0, long_level = 0.0, trend = 0.0;
        int origins = 0;
        for (int tau = first_origin; tau <= last_origin; ++tau) {
          if (square[tau] <= 0.0) continue;
          const double scale = cross[tau] / square[tau];
          error += std::abs(follow.forecast(tau, horizon, scale) - actual[tau]);
          level += level_error[tau];
          long_level += long_level_error[tau];
          trend += trend_error[tau];
          ++origins;
        }
        if (origins < options.min_origins || square[length - 1] <= 0.0) continue;
        const double own = std::min({level, long_level, trend});
        if (own <= 0.0) continue;  // the own history is exact: nothing to win
        const double ratio = error / own;
        if (ratio < best_ratio) {
          best_ratio = ratio;
          const double scale = cross[length - 1] / square[length - 1];
          result[i] = {.per_step = follow.forecast(length - 1, horizon, scale),
                       .leader = c,
                       .lag = lag,
                       .scale = scale,
                       .backtest_error = error / origins,
                       .own_error = own / origins,
                       .through = std::nullopt};
        }
      }
    }
  }
  if (options.front_ratio > 0.0) follow_at_the_front(input, options, sums, targets, result);
  for (std::uint32_t i = 0; i < n; ++i)
    if (!is_target[i]) result[i] = own_only(input.own_forecast[i]);  // computed for a target's sake only
  return result;
}

}  // namespace penumbra
