#pragma once
// One rank's view of its load between two rebalance epochs: it feeds each step's monitor snapshot to the load
// predictor (objects this rank owns only; reads of other ranks' objects are accesses, not load) and sums the
// window the next epoch reports (measured cost per object, accesses by this rank). No MPI: the runtime moves
// the rows it produces.
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "penumbra/load.hpp"
#include "penumbra/predict.hpp"
#include "rebalance/epoch_rows.hpp"

namespace penumbra::rebalance {

/// A forecast of one object's or one rank's work per step over the horizon.
struct CostForecast {
  double per_step = 0.0;     ///< mean work per step over the next `horizon` steps, seconds
  double uncertainty = 0.0;  ///< one standard deviation of per_step
};

class LoadTracker {
 public:
  /// `horizon`: steps ahead the forecasts cover (>= 1, else InvalidArgument).
  LoadTracker(int rank, PredictorOptions options, int horizon);

  /// One step's snapshot (LoadMonitor::reset_epoch at the end of the step). `owns` tells which objects this
  /// rank owns now.
  void observe_step(const LoadSnapshot& step, const std::function<bool(ObjectId)>& owns);

  /// Forecast for an owned object; zero for an object that never ran a measured task here.
  CostForecast forecast(ObjectId id) const;
  /// Sum of the forecasts of `owned` (their uncertainties added in quadrature: object errors are treated as
  /// independent).
  CostForecast forecast_rank(std::span<const ObjectId> owned) const;

  /// Steps observed since the last window reset.
  std::int64_t window_steps() const noexcept { return window_steps_; }
  /// Mean busy seconds per step over the window.
  double measured_load_per_step() const noexcept;
  /// Mean measured cost per step of `id` over the window (0 when it ran nothing here).
  double measured_cost_per_step(ObjectId id) const;
  /// This rank's accesses (to any object) over the window, as rows for the snapshot.
  std::vector<AccessRow> access_rows() const;
  /// Starts a new window (after an epoch).
  void reset_window();

  /// `id` left this rank (migrated away, erased): its series is dropped.
  void object_left(ObjectId id);
  /// `id` arrived: its series starts from the cost it had on its previous owner, so the first forecast after a
  /// move is not zero.
  void object_arrived(ObjectId id, double cost_per_step);
  /// `id` arrived with its last per-step costs from its previous owner (oldest first): they are replayed into
  /// the predictor, so its models keep their trend across the move. An empty history is the cost alone.
  void object_arrived(ObjectId id, std::span<const double> recent_costs, double cost_per_step);

  /// The last `kRecentSteps` per-step costs of an owned object, oldest first (empty when it ran nothing here).
  std::vector<double> recent_costs(ObjectId id) const;

 private:
  struct Window {
    double cost = 0.0;
    std::unordered_map<int, AccessCounts> accesses;
  };
  int rank_;
  int horizon_;
  LoadPredictor predictor_;
  std::int64_t window_steps_ = 0;
  double window_busy_ = 0.0;
  std::unordered_map<ObjectId, Window> window_;
  std::unordered_map<ObjectId, std::deque<double>> recent_;  // owned objects' last kRecentSteps costs
};

}  // namespace penumbra::rebalance
