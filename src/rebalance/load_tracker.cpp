#include "rebalance/load_tracker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "penumbra/errors.hpp"

namespace penumbra::rebalance {

LoadTracker::LoadTracker(int rank, PredictorOptions options, int horizon)
    : rank_(rank), horizon_(horizon), predictor_(std::move(options)) {
  if (horizon < 1) throw InvalidArgument(fmt::format("load tracker: horizon = {} (expected >= 1)", horizon));
}

void LoadTracker::observe_step(const LoadSnapshot& step, const std::function<bool(ObjectId)>& owns) {
  LoadSnapshot owned = step;
  owned.objects.clear();
  for (const ObjectLoad& object : step.objects) {
    Window& window = window_[object.id];
    for (const AccessCounts& counts : object.accesses) {
      AccessCounts& sum = window.accesses[counts.origin_rank];
      sum.origin_rank = counts.origin_rank;
      sum.reads += counts.reads;
      sum.writes += counts.writes;
      sum.bytes_read += counts.bytes_read;
      sum.bytes_written += counts.bytes_written;
    }
    if (!owns(object.id)) continue;
    window.cost += object.wall_seconds;
    owned.objects.push_back(object);
  }
  predictor_.observe(owned);
  // The recent costs follow the predictor's rule: an owned object known from earlier steps that ran nothing in
  // this one cost 0.
  for (auto& [id, costs] : recent_) costs.push_back(0.0);
  // As the models saw them (arrivals, spikes clipped: PredictorOptions::spike_sigmas): the travelling-load forecast
  // reads these, on this rank and, after a move, on the next owner.
  for (const ObjectLoad& object : owned.objects) {
    std::deque<double>& costs = recent_[object.id];
    const double cost = predictor_.last_arrivals(object_series(object.id));
    if (costs.empty())
      costs.push_back(cost);
    else
      costs.back() = cost;
  }
  for (auto it = recent_.begin(); it != recent_.end();) {
    if (!owns(it->first)) {
      it = recent_.erase(it);
      continue;
    }
    while (it->second.size() > kRecentSteps) it->second.pop_front();
    ++it;
  }
  window_busy_ += step.rank.busy_seconds;
  ++window_steps_;
}

CostForecast LoadTracker::forecast(ObjectId id) const {
  const SeriesKey key = object_series(id);
  if (!predictor_.contains(key)) return {};
  const Forecast forecast = predictor_.forecast(key, horizon_);
  return {forecast.cumulative / horizon_, forecast.cumulative_uncertainty / horizon_};
}

CostForecast LoadTracker::forecast_rank(std::span<const ObjectId> owned) const {
  CostForecast total;
  double variance = 0.0;
  for (ObjectId id : owned) {
    const CostForecast one = forecast(id);
    total.per_step += one.per_step;
    variance += one.uncertainty * one.uncertainty;
  }
  total.uncertainty = std::sqrt(variance);
  return total;
}

double LoadTracker::measured_load_per_step() const noexcept {
  return window_steps_ > 0 ? window_busy_ / static_cast<double>(window_steps_) : 0.0;
}

double LoadTracker::measured_cost_per_step(ObjectId id) const {
  auto found = window_.find(id);
  if (found == window_.end() || window_steps_ == 0) return 0.0;
  return found->second.cost / static_cast<double>(window_steps_);
}

std::vector<AccessRow> LoadTracker::access_rows() const {
  std::vector<AccessRow> rows;
  for (const auto& [id, window] : window_)
    for (const auto& [origin, counts] : window.accesses)
      if (counts.accesses() > 0)
        rows.push_back({.id = id, .origin = origin, .accesses = counts.accesses(), .bytes = counts.bytes()});
  // Sorted so the rows (and so the assembled snapshot's float sums) do not depend on hash order.
  std::sort(rows.begin(), rows.end(),
            [](const AccessRow& a, const AccessRow& b) { return std::tie(a.id, a.origin) < std::tie(b.id, b.origin); });
  return rows;
}

void LoadTracker::reset_window() {
  window_.clear();
  window_busy_ = 0.0;
  window_steps_ = 0;
}

void LoadTracker::object_left(ObjectId id) {
  predictor_.forget(object_series(id));
  recent_.erase(id);
}

void LoadTracker::object_arrived(ObjectId id, double cost_per_step) { object_arrived(id, {}, cost_per_step); }

void LoadTracker::object_arrived(ObjectId id, std::span<const double> recent_costs, double cost_per_step) {
  const auto usable = [](double value) { return std::isfinite(value) && value >= 0.0 ? value : 0.0; };
  predictor_.forget(object_series(id));
  std::deque<double>& costs = recent_[id];
  costs.clear();
  if (recent_costs.empty()) {
    predictor_.observe(object_series(id), usable(cost_per_step));
    return;
  }
  for (double cost : recent_costs.last(std::min(recent_costs.size(), kRecentSteps))) {
    predictor_.observe(object_series(id), usable(cost));
    costs.push_back(usable(cost));
  }
}

std::vector<double> LoadTracker::recent_costs(ObjectId id) const {
  auto found = recent_.find(id);
  if (found == recent_.end()) return {};
  return {found->second.begin(), found->second.end()};
}

}  // namespace penumbra::rebalance
