// The registry of forecasting models: name -> factory. Caliper-style: a model is chosen by a string
// (`predictor.models`), and adding one is one register_model call, touching nothing else.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "penumbra/errors.hpp"
#include "penumbra/forecast_model.hpp"
#include "predict/models.hpp"

namespace penumbra {
namespace {

// The smoothing candidates of ewma and holt: the configured values first (they win ties), then a grid from
// slow to fast smoothing; one candidate when fit_smoothing is off.
std::vector<double> ewma_candidates(const PredictorOptions& o) {
  std::vector<double> alphas{o.ewma_alpha};
  if (o.fit_smoothing)
    for (double alpha : {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0})
      if (alpha != o.ewma_alpha) alphas.push_back(alpha);
  return alphas;
}

std::vector<std::pair<double, double>> holt_candidates(const PredictorOptions& o) {
  std::vector<std::pair<double, double>> parameters{{o.holt_alpha, o.holt_beta}};
  if (o.fit_smoothing)
    for (double alpha : {0.1, 0.2, 0.3, 0.5, 0.7, 0.9})
      for (double beta : {0.02, 0.05, 0.1, 0.2, 0.4})
        if (alpha != o.holt_alpha || beta != o.holt_beta) parameters.emplace_back(alpha, beta);
  return parameters;
}

// Squared errors fade by this factor per epoch: a memory of about history_window epochs.
double smoothing_discount(const PredictorOptions& o) { return 1.0 - 1.0 / static_cast<double>(o.history_window); }

struct Registry {
  std::mutex mutex;
  std::vector<std::pair<std::string, ModelFactory>> entries;  // registration order (the built-ins first)

  Registry() {
    using namespace predict;
    entries.emplace_back("persistence", [](const PredictorOptions&) { return std::make_unique<PersistenceModel>(); });
    entries.emplace_back("ewma", [](const PredictorOptions& o) {
      return std::make_unique<EwmaModel>(ewma_candidates(o), smoothing_discount(o));
    });
    entries.emplace_back("holt", [](const PredictorOptions& o) {
      return std::make_unique<HoltModel>(holt_candidates(o), o.holt_damping, smoothing_discount(o));
    });
    entries.emplace_back("seasonal", [](const PredictorOptions& o) {
      return std::make_unique<SeasonalModel>(SeasonalModel::Parameters{
          static_cast<std::size_t>(o.history_window), static_cast<std::size_t>(o.seasonal_max_period),
          o.seasonal_min_correlation, o.seasonal_alpha, o.seasonal_beta, o.seasonal_gamma});
    });
    entries.emplace_back("ar", [](const PredictorOptions& o) {
      return std::make_unique<ArModel>(static_cast<std::size_t>(o.ar_order), o.ar_ridge,
                                       static_cast<std::size_t>(o.history_window));
    });
  }

  auto find(std::string_view name) {
    return std::ranges::find(entries, name, &std::pair<std::string, ModelFactory>::first);
  }
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_model(std::string name, ModelFactory factory) {
  if (name.empty()) throw InvalidArgument("register_model: empty model name");
  if (!factory) throw InvalidArgument(fmt::format("register_model: empty factory for model '{}'", name));
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.find(name) != r.entries.end())
    throw InvalidArgument(fmt::format("register_model: a model named '{}' is already registered", name));
  r.entries.emplace_back(std::move(name), std::move(factory));
}

bool is_registered_model(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.find(name) != r.entries.end();
}

std::vector<std::string> registered_models() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& entry : r.entries) names.push_back(entry.first);
  return names;
}

std::unique_ptr<ForecastModel> make_model(std::string_view name, const PredictorOptions& options) {
  options.validate();
  ModelFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto found = r.find(name);
    if (found != r.entries.end()) factory = found->second;
  }
  if (!factory)
    throw ConfigError("predictor.models", std::string(name),
                      fmt::format("one of: {}", fmt::join(registered_models(), ", ")));
  auto model = factory(options);  // outside the lock: a factory may itself look at the registry
  if (!model) throw InvalidArgument(fmt::format("the factory of model '{}' returned no model", name));
  return model;
}

}  // namespace penumbra
