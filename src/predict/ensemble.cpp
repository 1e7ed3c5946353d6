#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/predict.hpp"

namespace penumbra {
namespace {

std::vector<std::unique_ptr<ForecastModel>> build_models(const PredictorOptions& options) {
  options.validate();
  std::vector<std::unique_ptr<ForecastModel>> models;
  for (const std::string& name : options.models) models.push_back(make_model(name, options));
  return models;
}

void check_horizon(int horizon) {
  if (horizon < 1) throw InvalidArgument(fmt::format("forecast horizon = {} (expected >= 1)", horizon));
}

}  // namespace

Ensemble::Ensemble(const PredictorOptions& options)
    : Ensemble(build_models(options), static_cast<std::size_t>(options.ensemble_window)) {}

Ensemble::Ensemble(std::vector<std::unique_ptr<ForecastModel>> models, std::size_t window)
    : models_(std::move(models)), window_(window) {
  if (models_.empty()) throw InvalidArgument("Ensemble: no models (expected at least one)");
  if (window_ == 0) throw InvalidArgument("Ensemble: error window = 0 (expected >= 1)");
  for (std::size_t i = 0; i < models_.size(); ++i)
    if (!models_[i]) throw InvalidArgument(fmt::format("Ensemble: model {} is null", i));
  pending_.assign(models_.size(), 0.0);
  errors_.assign(models_.size() * window_, 0.0);
}

void Ensemble::update(double value) {
  check::finite_non_negative("load value", value);
  if (observations_ > 0) {
    // Score the forecasts made after the previous value before the models see this one.
    for (std::size_t i = 0; i < models_.size(); ++i) errors_[i * window_ + next_slot_] = value - pending_[i];
    next_slot_ = (next_slot_ + 1) % window_;
    error_count_ = std::min(error_count_ + 1, window_);
  }
  peak_ = std::max(peak_, value);
  for (std::size_t i = 0; i < models_.size(); ++i) {
    models_[i]->update(value);
    pending_[i] = std::clamp(models_[i]->forecast(1), 0.0, kForecastCeiling * peak_);
  }
  ++observations_;
  last_value_ = value;
  if (error_count_ == 0) return;
  // Lowest mean absolute error; a later model must be better by more than rounding to displace an earlier
  // one, so exact ties (e.g. every model perfect on a constant) keep the first listed.
  std::size_t best = 0;
  double best_error = recent_mean_abs_error(0);
  for (std::size_t i = 1; i < models_.size(); ++i) {
    const double error = recent_mean_abs_error(i);
    if (error < best_error - 1e-12 * std::max(best_error, std::abs(value))) {
      best = i;
      best_error = error;
    }
  }
  chosen_ = best;
}

const ForecastModel& Ensemble::model(std::size_t index) const {
  check_index(index);
  return *models_[index];
}

void Ensemble::check_index(std::size_t index) const {
  if (index >= models_.size())
    throw InvalidArgument(fmt::format("model index {} (the ensemble has {} models)", index, models_.size()));
}

double Ensemble::forecast(int horizon) const { return model_forecast(chosen_, horizon); }

double Ensemble::model_forecast(std::size_t index, int horizon) const {
  check_index(index);
  check_horizon(horizon);
  if (observations_ == 0) throw InvalidLoad("forecast of an empty history (no value observed)");
  if (horizon == 1) return pending_[index];
  return std::clamp(models_[index]->forecast(horizon), 0.0, kForecastCeiling * peak_);
}

double Ensemble::uncertainty(int horizon) const {
  check_horizon(horizon);
  if (observations_ == 0) throw InvalidLoad("uncertainty of an empty history (no value observed)");
  const double one_step = error_count_ == 0 ? last_value_ : recent_rmse(chosen_);
  return one_step * std::sqrt(static_cast<double>(horizon));
}

double Ensemble::recent_mean_abs_error(std::size_t index) const {
  check_index(index);
  if (error_count_ == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t k = 0; k < error_count_; ++k) sum += std::abs(errors_[index * window_ + k]);
  return sum / static_cast<double>(error_count_);
}

double Ensemble::recent_rmse(std::size_t index) const {
  check_index(index);
  if (error_count_ == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t k = 0; k < error_count_; ++k) sum += errors_[index * window_ + k] * errors_[index * window_ + k];
  return std::sqrt(sum / static_cast<double>(error_count_));
}

}  // namespace penumbra
