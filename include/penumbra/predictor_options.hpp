#pragma once
/// @file predictor_options.hpp
/// The knobs of the load predictor and its models, with defaults and validation. Each field's config key is
/// `predictor.<field>`; docs/prediction.md explains each one.

#include <cstdint>
#include <string>
#include <vector>

namespace penumbra {

/// Options of the load predictor (LoadPredictor, Ensemble) and of the built-in models.
struct PredictorOptions {
  /// `predictor.models`: the models the ensemble runs, by registered name (see forecast_model.hpp), in
  /// tie-break order: when two models have the same recent error, the earlier one is chosen. Not empty,
  /// no duplicates, every name registered.
  std::vector<std::string> models = {"persistence", "ewma", "holt", "seasonal", "ar"};
  /// `predictor.ensemble_window`: one-step errors per model kept to choose a model. [1, 1024].
  std::int64_t ensemble_window = 16;
  /// `predictor.history_window`: observations the refitting models (seasonal, ar) keep. [8, 100000]; at
  /// least 2 x seasonal_max_period and 3 x ar_order + 2, so that either model can fit at all.
  std::int64_t history_window = 96;
  /// `predictor.fit_smoothing`: the ewma and holt models fit their smoothing parameters online, from a
  /// small grid, by the lowest squared one-step error discounted over about history_window epochs
  /// (docs/prediction.md). false: they use ewma_alpha, holt_alpha and holt_beta as given.
  bool fit_smoothing = true;
  /// `predictor.ewma_alpha`: weight of the newest value in the exponential moving average (with
  /// fit_smoothing, the first candidate, preferred on ties). (0, 1].
  double ewma_alpha = 0.3;
  /// `predictor.holt_alpha`: level smoothing of Holt's linear trend (with fit_smoothing, the first
  /// candidate). (0, 1].
  double holt_alpha = 0.5;
  /// `predictor.holt_beta`: trend smoothing of Holt's linear trend (with fit_smoothing, the first
  /// candidate). (0, 1].
  double holt_beta = 0.1;
  /// `predictor.holt_damping`: trend damping phi (Gardner): the h-step trend is (phi + ... + phi^h) x trend.
  /// 1 is Holt's undamped trend (exact on a line). (0, 1].
  double holt_damping = 1.0;
  /// `predictor.seasonal_max_period`: longest period (epochs) the seasonal model looks for. [2, 4096].
  std::int64_t seasonal_max_period = 32;
  /// `predictor.seasonal_min_correlation`: autocorrelation a lag needs (after removing a linear trend) to
  /// count as a period. (0, 1].
  double seasonal_min_correlation = 0.5;
  /// `predictor.seasonal_alpha`: level smoothing of the additive Holt-Winters model. (0, 1].
  double seasonal_alpha = 0.2;
  /// `predictor.seasonal_beta`: trend smoothing of the additive Holt-Winters model. [0, 1].
  double seasonal_beta = 0.05;
  /// `predictor.seasonal_gamma`: season smoothing of the additive Holt-Winters model. [0, 1].
  double seasonal_gamma = 0.3;
  /// `predictor.ar_order`: p of the AR(p) model. [1, 32].
  std::int64_t ar_order = 4;
  /// `predictor.ar_ridge`: ridge regularisation of the AR fit, relative to the series' sum of squares
  /// (scale free). [0, 1000].
  double ar_ridge = 1e-3;
  /// `predictor.spike_sigmas`: a measured value more than this many robust deviations (1.4826 x MAD) above
  /// the median of its series' last 5 values is clipped to that bound before the models see it (Hampel's
  /// rule, upward only: a timer can only be late; penumbra/spike_filter.hpp). A rise that lasts passes
  /// after 2 steps. 0: off. [0, 1000].
  double spike_sigmas = 4.0;

  /// Throws ConfigError naming the first bad key (e.g. `predictor.ensemble_window`), its value and the
  /// allowed range.
  void validate() const;

  bool operator==(const PredictorOptions&) const = default;
};

}  // namespace penumbra
