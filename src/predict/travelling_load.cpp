#include "predict/travelling_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

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

// The objects within `max_hops` of `from`, in the order breadth first found them (nearest first, in
// neighbour-list order: deterministic), `from` excluded, with their hops. Its cost is the size of the
// neighbourhood, not of the graph (a rank forecasts a few objects of a snapshot that may hold millions): the
// visited marks live in a scratch array the caller allocates once and every search leaves as it found it.
struct Reach {
  std::uint32_t from = 0;
  std::vector<std::uint32_t> order;
  std::vector<int> order_hops;  // order_hops[k]: hops of order[k]

  int hops(std::uint32_t object) const {  // -1 beyond max_hops; a linear scan of a small neighbourhood
    if (object == from) return 0;
    const auto at = std::ranges::find(order, object);
    return at == order.end() ? -1 : order_hops[static_cast<std::size_t>(at - order.begin())];
  }
};

Reach reach_from(const TravellingLoadInput& input, std::uint32_t from, int max_hops, std::vector<bool>& visited) {
  Reach reach{.from = from, .order = {}, .order_hops = {}};
  visited[from] = true;
  std::size_t frontier_begin = 0;
  for (int hop = 1; hop <= max_hops; ++hop) {
    const std::size_t frontier_end = reach.order.size();
    const auto expand = [&](std::uint32_t at) {
      for (std::uint32_t neighbour : input.neighbours[at])
        if (!visited[neighbour]) {
          visited[neighbour] = true;
          reach.order.push_back(neighbour);
          reach.order_hops.push_back(hop);
        }
    };
    if (hop == 1) expand(from);
    for (std::size_t k = frontier_begin; k < frontier_end; ++k) expand(reach.order[k]);
    if (reach.order.size() == frontier_end) break;
    frontier_begin = frontier_end;
  }
  visited[from] = false;
  for (std::uint32_t object : reach.order) visited[object] = false;
  return reach;
}

TravellingLoadForecast own_only(double per_step) {
  TravellingLoadForecast forecast;
  forecast.per_step = per_step;
  return forecast;
}

// Running sums of a series and of its squares (values[k] = x[0] + ... + x[k - 1]), made on first use: a rank
// forecasts a few objects of a snapshot that may hold millions, and reads only their neighbourhoods.
struct SeriesSums {
  std::vector<double> values, squares;
};

class LazySums {
 public:
  explicit LazySums(const TravellingLoadInput& input) : input_(input), sums_(input.recent.size()) {}

  const SeriesSums& of(std::uint32_t object) {
    SeriesSums& sums = sums_[object];
    if (sums.values.empty()) {
      const std::vector<double>& x = input_.recent[object];
      sums.values.assign(x.size() + 1, 0.0);
      sums.squares.assign(x.size() + 1, 0.0);
      for (std::size_t k = 0; k < x.size(); ++k) {
        sums.values[k + 1] = sums.values[k] + x[k];
        sums.squares[k + 1] = sums.squares[k] + x[k] * x[k];
      }
    }
    return sums;
  }

 private:
  const TravellingLoadInput& input_;
  std::vector<SeriesSums> sums_;
};

// The second pass (travelling_load.hpp): a target no leader explained takes the leader of the nearest clear
// follower whose leader lies beyond it. Reads the first pass's choices only, so target order does not matter.
void follow_at_the_front(const TravellingLoadInput& input, const TravellingLoadOptions& options,
                         LazySums& sums, const std::vector<std::uint32_t>& targets,
                         std::vector<TravellingLoadForecast>& result, std::vector<bool>& visited) {
  // The first pass's choices are read from `result` and the front's written after the loop (not a copy of
  // every forecast: the snapshot may hold millions of objects, the neighbourhoods read are small).
  const std::vector<TravellingLoadForecast>& first = result;
  std::vector<std::pair<std::uint32_t, TravellingLoadForecast>> fronts;
  for (std::uint32_t i : targets) {
    if (first[i].leader) continue;
    const std::vector<double>& x = input.recent[i];
    const int length = static_cast<int>(x.size());
    if (length - 1 - input.horizon < kTrendPoints - 1) continue;  // as short as the first pass skips
    const Reach reach = reach_from(input, i, 2 * options.max_hops, visited);
    for (std::size_t at = 0; at < reach.order.size(); ++at) {
      const std::uint32_t k = reach.order[at];
      const int hops_to_k = reach.order_hops[at];
      if (hops_to_k > options.max_hops) break;  // nearest first: no closer follower was found
      const TravellingLoadForecast& via = first[k];
      if (!via.leader || !(via.own_error > 0.0) ||
          via.backtest_error > options.front_ratio * options.margin * via.own_error)
        continue;
      const std::uint32_t c = *via.leader;
      const int hops_from_k = reach_from(input, k, options.max_hops, visited).hops(c);
      const int hops_to_c = reach.hops(c);
      // Beyond k: the leader is as far from us as k is plus k's own distance to it (not beside or behind us).
      if (hops_from_k < 1 || hops_to_c != hops_to_k + hops_from_k) continue;
      const int lag = static_cast<int>(std::lround(static_cast<double>(via.lag) * hops_to_c / hops_from_k));
      const std::vector<double>& leader = input.recent[c];
      const Follow follow{leader, sums.of(c).values, length - static_cast<int>(leader.size()), lag};
      const int first_pair = follow.first_pair();
      if (length - first_pair < options.min_pairs) continue;
      double xy = 0.0, yy = 0.0;
      for (int s = first_pair; s < length; ++s) {
        const double y = follow.leader_at(s - lag);
        xy += x[s] * y;
        yy += y * y;
      }
      if (!(yy > 0.0)) continue;
      fronts.emplace_back(i, TravellingLoadForecast{.per_step = follow.forecast(length - 1, input.horizon, xy / yy),
                                                    .leader = c,
                                                    .lag = lag,
                                                    .scale = xy / yy,
                                                    .backtest_error = 0.0,
                                                    .own_error = 0.0,
                                                    .through = k});
      break;
    }
  }
  for (auto& [i, forecast] : fronts) result[i] = std::move(forecast);
}

}  // namespace

std::vector<TravellingLoadForecast> forecast_travelling_loads(const TravellingLoadInput& input,
                                                              const TravellingLoadOptions& options) {
  check(input, options);
  const std::size_t n = input.recent.size();
  const int horizon = input.horizon;
  std::vector<TravellingLoadForecast> result(n);
  LazySums sums(input);
  std::vector<double> actual, level_error, long_level_error, trend_error, cross, square;
  for (std::size_t i = 0; i < n; ++i) result[i].per_step = input.own_forecast[i];
  // The targets, and the objects within max_hops of them: a target at the front of a load may take the leader
  // of a follower owned elsewhere, whose choice this rank must then make too (the same everywhere: same input).
  std::vector<std::uint32_t> targets = input.targets, computed;
  if (targets.empty())
    for (std::uint32_t i = 0; i < n; ++i) targets.push_back(i);
  std::vector<bool> is_target(n, false), is_computed(n, false), visited(n, false);
  const auto compute = [&](std::uint32_t i) {
    if (!is_computed[i]) computed.push_back(i);
    is_computed[i] = true;
  };
  for (std::uint32_t i : targets) {
    is_target[i] = true;
    compute(i);
    if (options.front_ratio > 0.0)
      for (std::uint32_t near : reach_from(input, i, options.max_hops, visited).order) compute(near);
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
    const SeriesSums& own_sums = sums.of(i);
    for (int tau = 0; tau <= last_origin; ++tau)
      actual[tau] = (own_sums.values[tau + 1 + horizon] - own_sums.values[tau + 1]) / horizon;
    for (int tau = kTrendPoints - 1; tau <= last_origin; ++tau) {
      level_error[tau] = std::abs(level_forecast(x, tau, kLevelPoints) - actual[tau]);
      long_level_error[tau] = std::abs(level_forecast(x, tau, kLongLevelPoints) - actual[tau]);
      trend_error[tau] = std::abs(trend_forecast(x, tau, horizon) - actual[tau]);
    }
    double best_ratio = options.margin;
    for (std::uint32_t c : reach_from(input, i, options.max_hops, visited).order) {
      const std::vector<double>& leader = input.recent[c];
      const SeriesSums& leader_sums = sums.of(c);
      for (int lag = 1; lag <= options.max_lag; ++lag) {
        const int offset = length - static_cast<int>(leader.size());
        const Follow follow{leader, leader_sums.values, offset, lag};
        const int first = follow.first_pair();
        if (first >= length) continue;
        // Running sums of the scale's least squares: s = sum x_i x_c / sum x_c^2 over the pairs up to tau. The
        // cross products are the only sums not read off the series' running sums: one multiply-add per pair.
        const int y_begin = first - lag - offset, y_end = length - lag - offset;  // leader steps paired
        cross.assign(length, 0.0);
        square.assign(length, 0.0);
        double xy = 0.0;
        for (int s = first; s < length; ++s) {
          xy += x[s] * follow.leader_at(s - lag);
          cross[s] = xy;
          square[s] = leader_sums.squares[s - lag - offset + 1] - leader_sums.squares[y_begin];
        }
        const double yy = square[length - 1];
        const double sum_x = own_sums.values[length] - own_sums.values[first];
        const double xx = own_sums.squares[length] - own_sums.squares[first];
        const double sum_y = leader_sums.values[y_end] - leader_sums.values[y_begin];
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
  if (options.front_ratio > 0.0) follow_at_the_front(input, options, sums, targets, result, visited);
  for (std::uint32_t i = 0; i < n; ++i)
    if (!is_target[i]) result[i] = own_only(input.own_forecast[i]);  // computed for a target's sake only
  return result;
}

}  // namespace penumbra
