#pragma once
// Forecasts for loads that travel along the dependency graph (a hotspot moving through a mesh, a front
// sweeping a domain): an object's own history cannot see the load coming, its upstream neighbours' can.
// Pure: recent per-step costs and the neighbour lists in, one forecast per object out. Every rank of a job
// runs it on the same gathered snapshot and gets the same answer.
//
// The model, per object i: x_i(t + L) ~ s x_c(t) for a leader c within `max_hops` of i in the graph, a lag of
// L steps and a scale s (objects differ in their base cost, so the shape travels, not the value). It is
// backtested on the object's own recent past: from each origin tau, forecast the mean of the next `horizon`
// steps with data up to tau only (s fitted on the pairs up to tau), and compare with the actual mean. The
// same origins are scored for the object's own-history forecasts (short level: mean of the last 3 steps; long
// level: mean of the last 12; trend: a line through the last 6), and the best of the three is the bar. The leader's
// forecast replaces the per-object one only where its backtest error is below `margin` x the better own-history error,
// so a load that does not travel (noise, a phase change that hits every object at once) keeps its per-object forecast.
//
// The front of a travelling load: an object the load has not reached yet has a flat past, so no leader explains
// it and the test above keeps its own (flat) forecast, however clearly the objects behind it see the load coming.
// Such an object follows the leader of the nearest object within `max_hops` that chose one by a clear margin
// (backtest error < `front_ratio` x margin x own-history error) and whose leader lies beyond it (one more hop
// from the object than from that follower). The lag per hop is the follower's; the scale is the least squares
// ratio of the object's own past to the leader's shifted past, which on a flat past is the ratio of their levels.
#include <cstdint>
#include <optional>
#include <vector>

namespace penumbra {

/// Search limits and the bar a leader must clear. The defaults come from an offline sweep (docs/rebalance.md).
struct TravellingLoadOptions {
  int max_hops = 5;              ///< leaders up to this many edges away, >= 1
  int max_lag = 12;              ///< steps, >= 1
  int min_pairs = 4;             ///< pairs (x_i, x_c) a scale needs, >= 1
  int min_origins = 3;           ///< backtest origins a leader needs, >= 1
  double margin = 0.7;           ///< leader chosen when its backtest error < margin x own-history error, (0, 1]
  double min_correlation = 0.5;  ///< and its shifted past correlates this well with the object's, [-1, 1]
  /// A follower whose leader the front may take must have beaten its own history by this fraction of the margin;
  /// 0: the front keeps its own forecasts. [0, 1].
  double front_ratio = 0.5;
};

/// The plain-data input. Position k in every vector is the same object.
struct TravellingLoadInput {
  /// Per object: its last per-step costs, oldest first; all series end at the same step (shorter ones started
  /// later). Values finite and >= 0.
  std::vector<std::vector<double>> recent;
  /// Per object: positions of the objects it exchanges data with (the dependency graph), each < objects.
  std::vector<std::vector<std::uint32_t>> neighbours;
  /// Per object: the per-object forecast, mean cost per step over the next `horizon` steps (finite, >= 0).
  std::vector<double> own_forecast;
  int horizon = 1;  ///< steps the forecasts cover, >= 1
  /// Positions to forecast (each < objects); empty: all. The others keep own_forecast. Lets each rank of a job
  /// forecast its own objects only, with every object's history as leaders.
  std::vector<std::uint32_t> targets;
};

struct TravellingLoadForecast {
  double per_step = 0.0;                ///< the forecast used: the leader's where chosen, else own_forecast
  std::optional<std::uint32_t> leader;  ///< the object whose past was followed, when chosen
  int lag = 0;                          ///< steps the load takes from the leader to this object
  double scale = 0.0;                   ///< this object's cost per unit of the leader's
  double backtest_error = 0.0;          ///< leader's mean absolute error over the origins (0 if none chosen)
  double own_error = 0.0;               ///< own-history error over the same origins (0 if none chosen)
  /// For an object at the front (above): the follower whose leader it took. The errors are then 0.
  std::optional<std::uint32_t> through;
};

/// One forecast per object. Throws InvalidArgument (sizes differ, a neighbour out of range, horizon < 1, an
/// option out of range) or InvalidLoad (a negative or non-finite cost), naming the bad value.
std::vector<TravellingLoadForecast> forecast_travelling_loads(const TravellingLoadInput& input,
                                                              const TravellingLoadOptions& options = {});

}  // namespace penumbra
