#pragma once
/// @file predict.hpp
/// Load prediction: per series (a rank's load, an object's load), an ensemble of forecasting models chosen
/// online by their recent one-step error, and forecasts h epochs ahead that add the known queued work and
/// carry an uncertainty. Pure: series in, forecasts out. docs/prediction.md gives the rules and formulas.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "penumbra/forecast_model.hpp"
#include "penumbra/load.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/predictor_options.hpp"
#include "penumbra/spike_filter.hpp"

namespace penumbra {

/// Several models on one series; forecasts with the one whose recent one-step errors are smallest.
///
/// Each update first scores every model's pending one-step forecast (made after the previous update and
/// clamped at 0) against the new value, keeps the last `window` absolute errors per model, then feeds the
/// value to every model. The chosen model has the lowest mean absolute error over its kept errors; ties
/// (equal to within 1e-12 relative) go to the model listed first, so the simpler model wins when the
/// models agree (persistence before ewma before holt...). Every model forecasts from the first observation
/// (the refitting ones fall back to the last value until they have enough data), so all models always have
/// the same number of errors and their means compare like with like.
class Ensemble {
 public:
  /// The models named in options.models (built by the registry). Validates the options (ConfigError).
  explicit Ensemble(const PredictorOptions& options = {});
  /// Given models (at least one; none null) and error window (>= 1). Throws InvalidArgument otherwise.
  Ensemble(std::vector<std::unique_ptr<ForecastModel>> models, std::size_t window);

  /// Observes the next value. Throws InvalidLoad unless finite and >= 0.
  void update(double value);
  /// Values observed.
  std::size_t observations() const noexcept { return observations_; }
  /// The last value observed (0 before any).
  double last_value() const noexcept { return last_value_; }

  /// Number of models.
  std::size_t model_count() const noexcept { return models_.size(); }
  /// Model `index` (InvalidArgument when out of range).
  const ForecastModel& model(std::size_t index) const;
  /// Index of the chosen model (0 before two observations: nothing has been scored yet).
  std::size_t chosen() const noexcept { return chosen_; }
  /// Name of the chosen model.
  std::string_view chosen_name() const { return models_[chosen_]->name(); }

  /// A forecast never exceeds this many times the largest value the series has shown. Extrapolating models
  /// (Holt's trend, AR(p), seasonal) fitted on a short, noisy window can diverge, and a single object forecast
  /// 75x its history made the predictive strategy shed half a rank (hotspot demo, docs/prediction.md).
  static constexpr double kForecastCeiling = 4.0;
  /// The chosen model's forecast `horizon` epochs ahead, clamped at 0 and at kForecastCeiling x the peak. Throws
  /// InvalidArgument on horizon < 1 and InvalidLoad before the first observation.
  double forecast(int horizon) const;
  /// Model `index`'s forecast, clamped at 0 (same errors as forecast()).
  double model_forecast(std::size_t index, int horizon) const;
  /// One standard deviation of the chosen model's error `horizon` epochs ahead: the root mean square of its
  /// kept one-step errors times sqrt(horizon) (errors of a persistent kind add up like a random walk).
  /// Before any error has been scored: the last value times sqrt(horizon) (as unsure as the load itself).
  double uncertainty(int horizon) const;

  /// Mean absolute one-step error of model `index` over its kept errors (0 when none).
  double recent_mean_abs_error(std::size_t index) const;
  /// Root mean square one-step error of model `index` over its kept errors (0 when none).
  double recent_rmse(std::size_t index) const;
  /// Errors kept per model (the same for all models): min(observations - 1, window).
  std::size_t recent_errors() const noexcept { return error_count_; }

 private:
  void check_index(std::size_t index) const;
  std::vector<std::unique_ptr<ForecastModel>> models_;
  std::vector<double> pending_;  // each model's one-step forecast made after the last update (clamped)
  std::vector<double> errors_;   // models x window ring of signed one-step errors
  std::size_t window_;
  std::size_t error_count_ = 0;
  std::size_t next_slot_ = 0;
  std::size_t observations_ = 0;
  std::size_t chosen_ = 0;
  double last_value_ = 0.0;
  double peak_ = 0.0;  // largest value observed: forecasts are bounded by kForecastCeiling x peak_
};

/// What a series is: the load of a rank or the load of an object.
enum class SeriesKind : std::uint8_t {
  rank,    ///< a rank's load
  object,  ///< an object's load
};

/// Identity of one series in a LoadPredictor.
struct SeriesKey {
  SeriesKind kind = SeriesKind::rank;  ///< rank or object
  std::uint64_t id = 0;                ///< the rank number, or the ObjectId value
  /// Ordered by kind, then id.
  auto operator<=>(const SeriesKey&) const = default;
};

/// The series of rank `rank`.
SeriesKey rank_series(int rank);
/// The series of object `id`.
SeriesKey object_series(ObjectId id);

/// A forecast of one series `horizon` epochs ahead of its last observation. All values in the series'
/// unit (seconds of work per epoch when fed from a LoadMonitor).
struct Forecast {
  int horizon = 1;  ///< epochs ahead (>= 1)
  /// Work expected to run in epoch t+h: `arrivals`, plus `queued` when horizon = 1 (queued work is assumed to
  /// run in the next epoch). >= 0.
  double load = 0.0;
  /// Predicted work arriving in epoch t+h (the ensemble's forecast of the arrival series). >= 0.
  double arrivals = 0.0;
  /// Work already queued at the last observation: known future load, no uncertainty.
  double queued = 0.0;
  /// Work expected over epochs t+1..t+h: queued + the sum of predicted arrivals over those epochs.
  double cumulative = 0.0;
  /// One standard deviation of `load` (Ensemble::uncertainty(horizon)).
  double uncertainty = 0.0;
  /// One standard deviation bound of `cumulative`: the sum of the per-epoch deviations, exact when the
  /// errors of successive epochs are fully correlated and an overestimate otherwise (conservative).
  double cumulative_uncertainty = 0.0;
  /// The model that made it.
  std::string model;
  /// Observations the series had.
  std::size_t observations = 0;
};

/// Forecasts of many series (this rank, and the objects it owns; or every rank, in a simulation).
///
/// Queued work: a series is observed as (executed load E_t, queued work Q_t at the end of epoch t). The
/// models are fed the arrivals A_t = max(0, E_t + Q_t - Q_{t-1}) (Q_{-1} = 0), the work that arrived during
/// the epoch, not E_t: E_t contains the work queued at the end of t-1, so a model of E_t would already
/// include queued work and adding Q_t on top would count it twice. The forecast is then
/// load(t+1) = A^(t+1) + Q_t and load(t+h) = A^(t+h) for h > 1.
class LoadPredictor {
 public:
  /// Validates the options (ConfigError).
  explicit LoadPredictor(PredictorOptions options = {});

  /// The options in use.
  const PredictorOptions& options() const noexcept { return options_; }

  /// Records one epoch of `key`: `executed` load and the work `queued` at the epoch's end (both finite and
  /// >= 0, else InvalidLoad naming the series and the value). Creates the series on first use.
  void observe(SeriesKey key, double executed, double queued = 0.0);
  /// Records one epoch from a monitor snapshot: the rank series (busy_seconds, queued_cost) and one series
  /// per object (wall_seconds, queued_cost). An object series fed by earlier snapshots of the same rank
  /// that is missing from this one gets a 0 (the object was idle); forget() it when the object leaves.
  void observe(const LoadSnapshot& snapshot);

  /// Forecast of `key` `horizon` epochs ahead. Throws InvalidArgument on horizon < 1 and InvalidLoad for a
  /// series never observed.
  Forecast forecast(SeriesKey key, int horizon) const;
  /// Forecasts of every series of `kind`, by key.
  std::vector<std::pair<SeriesKey, Forecast>> forecast_all(SeriesKind kind, int horizon) const;

  /// True when `key` has been observed.
  bool contains(SeriesKey key) const { return series_.contains(key); }
  /// Drops a series (an object that migrated away).
  void forget(SeriesKey key) { series_.erase(key); }
  /// Number of series.
  std::size_t series_count() const noexcept { return series_.size(); }
  /// The ensemble of `key` (its models, errors and choice). InvalidLoad for a series never observed.
  const Ensemble& ensemble(SeriesKey key) const;
  /// The arrivals of `key`'s last observation as the models saw them (its executed load when nothing was
  /// queued), clipped when they were a spike (PredictorOptions::spike_sigmas). InvalidLoad for a series never
  /// observed.
  double last_arrivals(SeriesKey key) const { return find(key).last_arrivals; }

 private:
  struct Series {
    Ensemble ensemble;
    double queued = 0.0;   // Q_t at the last observation
    int fed_by_rank = -1;  // rank whose snapshots feed it (-1: fed by observe(key, ...))
    SpikeFilter spikes;
    double last_arrivals = 0.0;  // after the spike filter
  };
  Series new_series(int fed_by_rank) const;
  const Series& find(SeriesKey key) const;
  void observe_series(Series& series, SeriesKey key, double executed, double queued);
  PredictorOptions options_;
  std::map<SeriesKey, Series> series_;
};

}  // namespace penumbra
