#include "penumbra/predictor_options.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/forecast_model.hpp"

namespace penumbra {

void PredictorOptions::validate() const {
  if (models.empty()) throw ConfigError("predictor.models", "", "at least one registered model name");
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (!is_registered_model(models[i]))
      throw ConfigError("predictor.models", models[i], fmt::format("one of: {}", fmt::join(registered_models(), ", ")));
    if (std::find(models.begin(), models.begin() + static_cast<std::ptrdiff_t>(i), models[i]) !=
        models.begin() + static_cast<std::ptrdiff_t>(i))
      throw ConfigError("predictor.models", models[i], "each model named once");
  }
  check::integer_in_range("predictor.ensemble_window", ensemble_window, 1, 1024);
  check::integer_in_range("predictor.history_window", history_window, 8, 100000);
  check::in_range_open_low("predictor.ewma_alpha", ewma_alpha, 0.0, 1.0);
  check::in_range_open_low("predictor.holt_alpha", holt_alpha, 0.0, 1.0);
  check::in_range_open_low("predictor.holt_beta", holt_beta, 0.0, 1.0);
  check::in_range_open_low("predictor.holt_damping", holt_damping, 0.0, 1.0);
  check::integer_in_range("predictor.seasonal_max_period", seasonal_max_period, 2, 4096);
  if (history_window < 2 * seasonal_max_period)
    throw ConfigError("predictor.seasonal_max_period", std::to_string(seasonal_max_period),
                      fmt::format("at most history_window / 2 = {}", history_window / 2));
  check::in_range_open_low("predictor.seasonal_min_correlation", seasonal_min_correlation, 0.0, 1.0);
  check::in_range_open_low("predictor.seasonal_alpha", seasonal_alpha, 0.0, 1.0);
  check::in_range("predictor.seasonal_beta", seasonal_beta, 0.0, 1.0);
  check::in_range("predictor.seasonal_gamma", seasonal_gamma, 0.0, 1.0);
  check::integer_in_range("predictor.ar_order", ar_order, 1, 32);
  if (history_window < 3 * ar_order + 2)
    throw ConfigError("predictor.ar_order", std::to_string(ar_order),
                      fmt::format("at most (history_window - 2) / 3 = {}", (history_window - 2) / 3));
  check::in_range("predictor.ar_ridge", ar_ridge, 0.0, 1000.0);
  check::in_range("predictor.spike_sigmas", spike_sigmas, 0.0, 1000.0);
}

}  // namespace penumbra
