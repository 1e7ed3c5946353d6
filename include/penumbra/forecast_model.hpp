#pragma once
/// @file forecast_model.hpp
/// One forecasting model of a load series behind one small interface, and the registry that builds models
/// by name (as Caliper's services: choosing a model is a string in `predictor.models`). Built-ins:
/// "persistence", "ewma", "holt", "seasonal", "ar" (docs/prediction.md describes each).

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "penumbra/predictor_options.hpp"

namespace penumbra {

/// A forecasting model of one non-negative series, updated online, one value per epoch.
/// The public calls check their input and call the private virtual hooks, so every model sees only valid
/// values (non-virtual interface).
class ForecastModel {
 public:
  virtual ~ForecastModel() = default;

  /// The name the model is registered under.
  virtual std::string_view name() const noexcept = 0;
  /// Values observed since construction or the last reset().
  virtual std::size_t observations() const noexcept = 0;
  /// Forgets everything observed.
  virtual void reset() = 0;

  /// Observes the next value. Throws InvalidLoad unless it is finite and >= 0.
  void update(double value);
  /// reset(), then update() with every value of `history` in order. Throws InvalidLoad on an empty history
  /// or a bad value (naming its index).
  void fit(std::span<const double> history);
  /// The forecast `horizon` epochs after the last observation, as the model computes it (it may be
  /// negative; the Ensemble clamps at 0). Throws InvalidArgument on horizon < 1 and InvalidLoad when nothing
  /// has been observed.
  double forecast(int horizon) const;

 private:
  virtual void observe(double value) = 0;
  virtual double predict(int horizon) const = 0;
};

/// Builds a model from the predictor options (each model reads its own fields).
using ModelFactory = std::function<std::unique_ptr<ForecastModel>(const PredictorOptions&)>;

/// Registers a model under `name`. Thread-safe. Throws InvalidArgument on an empty name, a name already
/// registered, or an empty factory.
void register_model(std::string name, ModelFactory factory);
/// True when `name` is registered.
bool is_registered_model(std::string_view name);
/// The registered names: the built-ins first, then others in registration order.
std::vector<std::string> registered_models();
/// Builds the model registered as `name` with `options`. Throws ConfigError(`predictor.models`, name,
/// "one of: ...") for an unknown name.
std::unique_ptr<ForecastModel> make_model(std::string_view name, const PredictorOptions& options = {});

}  // namespace penumbra
