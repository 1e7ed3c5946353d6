// The checks every model gets through the non-virtual interface of ForecastModel.
#include "penumbra/forecast_model.hpp"

#include <fmt/format.h>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"

namespace penumbra {

void ForecastModel::update(double value) {
  check::finite_non_negative(fmt::format("load value for model '{}'", name()), value);
  observe(value);
}

void ForecastModel::fit(std::span<const double> history) {
  if (history.empty()) throw InvalidLoad(fmt::format("model '{}': fit on an empty history", name()));
  for (std::size_t i = 0; i < history.size(); ++i)
    check::finite_non_negative(fmt::format("history[{}] for model '{}'", i, name()), history[i]);
  reset();
  for (double value : history) observe(value);
}

double ForecastModel::forecast(int horizon) const {
  if (horizon < 1) throw InvalidArgument(fmt::format("forecast horizon = {} (expected >= 1)", horizon));
  if (observations() == 0)
    throw InvalidLoad(fmt::format("model '{}': forecast of an empty history (no value observed)", name()));
  return predict(horizon);
}

}  // namespace penumbra
