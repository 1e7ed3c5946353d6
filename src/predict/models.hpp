#pragma once
// The built-in forecasting models (registered in model_registry.cpp). Declared here so tests can reach the
// fitted state (AR coefficients, detected period) that the public interface does not show.
#include <cstddef>
#include <vector>

#include "penumbra/forecast_model.hpp"
#include "predict/history.hpp"

namespace penumbra::predict {

/// "persistence": tomorrow is today (the last value). The baseline every other model must beat.
class PersistenceModel final : public ForecastModel {
 public:
  std::string_view name() const noexcept override { return "persistence"; }
  std::size_t observations() const noexcept override { return observations_; }
  void reset() override { *this = PersistenceModel{}; }

 private:
  void observe(double value) override;
  double predict(int horizon) const override;
  double last_ = 0.0;
  std::size_t observations_ = 0;
};

/// The smoothing parameters of the ewma and holt models are fitted online: each model runs a small grid of
/// candidate parameters side by side (a few flops each per update) and forecasts with the candidate whose
/// discounted sum of squared one-step errors, sse = discount x sse + e^2, is lowest (the first candidate
/// wins ties; it is the configured value). With one candidate the parameters are fixed.

/// "ewma": exponentially weighted moving average, s = alpha y + (1 - alpha) s, started at the first value.
/// Flat forecast. Best on a noisy level without trend (small alpha) and on a random walk (alpha near 1).
class EwmaModel final : public ForecastModel {
 public:
  /// `alphas`: the candidates (not empty), `discount` in (0, 1].
  EwmaModel(std::vector<double> alphas, double discount);
  std::string_view name() const noexcept override { return "ewma"; }
  std::size_t observations() const noexcept override { return observations_; }
  void reset() override;
  /// The alpha in use.
  double alpha() const noexcept { return candidates_[best_].alpha; }

 private:
  struct Candidate {
    double alpha;
    double smoothed = 0.0, sse = 0.0;
  };
  void observe(double value) override;
  double predict(int horizon) const override;
  std::vector<Candidate> candidates_;
  double discount_;
  std::size_t best_ = 0;
  std::size_t observations_ = 0;
};

/// "holt": Holt's linear trend (with Gardner's damping phi; phi = 1 is the plain linear trend). Level and
/// trend start from the first two values, so a line is forecast exactly from the second observation on, by
/// every candidate.
class HoltModel final : public ForecastModel {
 public:
  /// `parameters`: (alpha, beta) candidates (not empty); `damping` phi in (0, 1]; `discount` in (0, 1].
  HoltModel(const std::vector<std::pair<double, double>>& parameters, double damping, double discount);
  std::string_view name() const noexcept override { return "holt"; }
  std::size_t observations() const noexcept override { return observations_; }
  void reset() override;
  double alpha() const noexcept { return candidates_[best_].alpha; }
  double beta() const noexcept { return candidates_[best_].beta; }
  double level() const noexcept { return candidates_[best_].level; }
  double trend() const noexcept { return candidates_[best_].trend; }

 private:
  struct Candidate {
    double alpha, beta;
    double level = 0.0, trend = 0.0, sse = 0.0;
  };
  void observe(double value) override;
  double predict(int horizon) const override;
  double damped_sum(int horizon) const;
  std::vector<Candidate> candidates_;
  double damping_, discount_;
  std::size_t best_ = 0;
  std::size_t observations_ = 0;
};

/// "seasonal": additive Holt-Winters over the kept history, with the period found by autocorrelation
/// (predict/period.hpp) and re-detected at every update. Without a period (or before two periods of data)
/// it forecasts the last value.
class SeasonalModel final : public ForecastModel {
 public:
  struct Parameters {
    std::size_t window, max_period;
    double min_correlation, alpha, beta, gamma;
  };
  explicit SeasonalModel(const Parameters& parameters) : parameters_(parameters), history_(parameters.window) {}
  std::string_view name() const noexcept override { return "seasonal"; }
  std::size_t observations() const noexcept override { return history_.observations(); }
  void reset() override;
  /// The period in use (0: none detected).
  std::size_t period() const noexcept { return period_; }

 private:
  void observe(double value) override;
  double predict(int horizon) const override;
  void refit();
  Parameters parameters_;
  History history_;
  std::size_t period_ = 0;
  double level_ = 0.0, trend_ = 0.0;
  std::vector<double> season_;  // the last `period_` seasonal terms, oldest first
};

/// "ar": AR(p) with intercept, y_t - m = c + a_1 (y_{t-1} - m) + ... + a_p (y_{t-p} - m) with m the mean of
/// the kept history, fitted at every update by ridge-regularised least squares (Householder QR of the
/// augmented system, predict/least_squares.hpp). Needs 3p + 2 observations; forecasts the last value before.
/// Multi-step forecasts iterate the recursion.
class ArModel final : public ForecastModel {
 public:
  ArModel(std::size_t order, double ridge, std::size_t window) : order_(order), ridge_(ridge), history_(window) {}
  std::string_view name() const noexcept override { return "ar"; }
  std::size_t observations() const noexcept override { return history_.observations(); }
  void reset() override;
  /// True once enough data was seen to fit.
  bool fitted() const noexcept { return !coefficients_.empty(); }
  /// a_1..a_p (empty before the first fit).
  const std::vector<double>& coefficients() const noexcept { return coefficients_; }
  /// c (0 before the first fit).
  double intercept() const noexcept { return intercept_; }

 private:
  void observe(double value) override;
  double predict(int horizon) const override;
  void refit();
  std::size_t order_;
  double ridge_;
  History history_;
  double mean_ = 0.0, intercept_ = 0.0;
  std::vector<double> coefficients_;
};

}  // namespace penumbra::predict
