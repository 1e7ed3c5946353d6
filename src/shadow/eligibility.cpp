#include "shadow/eligibility.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "penumbra/errors.hpp"

namespace penumbra::shadow {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

bool valid_count(double value) { return value >= 0.0 && std::isfinite(value); }

[[noreturn]] void bad_count(const ObjectAccess& access, const std::string& name, double value) {
  throw InvalidArgument(fmt::format("shadow policy: object {}: {} = {} (expected a finite count >= 0)",
                                    to_string(access.id), name, value));
}

void check_count(const ObjectAccess& access, const char* name, double value) {
  if (!valid_count(value)) bad_count(access, name, value);
}

void check_per_rank(const ObjectAccess& access, const char* name, const std::vector<double>& values, int ranks,
                    bool may_be_empty) {
  if (may_be_empty && values.empty()) return;
  if (values.size() != static_cast<std::size_t>(ranks))
    throw InvalidArgument(fmt::format("shadow policy: object {}: {} has {} entries (expected one per rank: {})",
                                      to_string(access.id), name, values.size(), ranks));
  for (std::size_t r = 0; r < values.size(); ++r)  // the name is formatted only for a bad value: P checks per object
    if (!valid_count(values[r])) bad_count(access, fmt::format("{}[{}]", name, r), values[r]);
}

// Below this many counts in the two windows together, their difference is sampling noise, not a trend.
constexpr double kSparseCounts = 8.0;

// An object read (or written) a few times per window by a rank is a Poisson-like trickle: the damped trend of
// two such windows (say 1 then 0) forecasts nothing, so its copy was dropped and its next read went to the
// owner (~40 us on this machine against ~0.3 us one-sided). For sparse counts the forecast is their mean.
double trended(double last, double previous, double damping) {
  if (last + previous < kSparseCounts) return 0.5 * (last + previous);
  return std::max(0.0, last + damping * (last - previous));
}

}  // namespace

void validate_access(const ObjectAccess& access, int ranks) {
  if (access.owner < 0 || access.owner >= ranks)
    throw InvalidArgument(fmt::format("shadow policy: object {}: owner = {} (expected a rank in [0, {}))",
                                      to_string(access.id), access.owner, ranks));
  check_per_rank(access, "reads_by_rank", access.reads_by_rank, ranks, false);
  check_per_rank(access, "previous_reads_by_rank", access.previous_reads_by_rank, ranks, true);
  check_per_rank(access, "forecast_reads_by_rank", access.forecast_reads_by_rank, ranks, true);
  check_per_rank(access, "declared_reads_by_rank", access.declared_reads_by_rank, ranks, true);
  check_count(access, "writes", access.writes);
  if (access.previous_writes) check_count(access, "previous_writes", *access.previous_writes);
  if (access.forecast_writes) check_count(access, "forecast_writes", *access.forecast_writes);
  if (access.dependents < 0)
    throw InvalidArgument(fmt::format("shadow policy: object {}: dependents = {} (expected >= 0)", to_string(access.id),
                                      access.dependents));
  std::unordered_set<int> seen;
  for (int holder : access.holders) {
    if (holder < 0 || holder >= ranks)
      throw InvalidArgument(fmt::format("shadow policy: object {}: holder {} (expected a rank in [0, {}))",
                                        to_string(access.id), holder, ranks));
    if (!seen.insert(holder).second)
      throw InvalidArgument(
          fmt::format("shadow policy: object {}: holder {} is listed twice", to_string(access.id), holder));
  }
}

double memory_rent_us(const ShadowOptions& options, std::uint64_t size_bytes) noexcept {
  return options.memory_weight_us_per_mib * (static_cast<double>(size_bytes) / kMiB);
}

Prediction predict(const ObjectAccess& access, double trend_damping) {
  Prediction prediction;
  if (!access.forecast_reads_by_rank.empty()) {
    prediction.reads_by_rank = access.forecast_reads_by_rank;
  } else if (!access.previous_reads_by_rank.empty()) {
    prediction.reads_by_rank.resize(access.reads_by_rank.size());
    for (std::size_t r = 0; r < access.reads_by_rank.size(); ++r)
      prediction.reads_by_rank[r] = trended(access.reads_by_rank[r], access.previous_reads_by_rank[r], trend_damping);
  } else {
    prediction.reads_by_rank = access.reads_by_rank;
  }
  if (!access.declared_reads_by_rank.empty()) {
    prediction.reads_by_rank.resize(std::max(prediction.reads_by_rank.size(), access.declared_reads_by_rank.size()));
    for (std::size_t r = 0; r < access.declared_reads_by_rank.size(); ++r)
      prediction.reads_by_rank[r] = std::max(prediction.reads_by_rank[r], access.declared_reads_by_rank[r]);
  }
  if (access.forecast_writes)
    prediction.writes = *access.forecast_writes;
  else if (access.previous_writes)
    prediction.writes = trended(access.writes, *access.previous_writes, trend_damping);
  else
    prediction.writes = access.writes;
  return prediction;
}

ObjectValue::ObjectValue(const ObjectAccess& access, const CostTable& costs, const ShadowOptions& options)
    : costs_(costs), owner_(access.owner), size_bytes_(access.size_bytes) {
  Prediction prediction = predict(access, options.trend_damping);
  for (std::size_t r = 0; r < prediction.reads_by_rank.size(); ++r)
    if (static_cast<int>(r) != owner_ && prediction.reads_by_rank[r] > 0.0)
      readers_.push_back({static_cast<int>(r), prediction.reads_by_rank[r]});
  predicted_writes_ = prediction.writes;
  dependency_factor_ = 1.0 + options.dependency_weight * static_cast<double>(access.dependents);
  memory_us_ = memory_rent_us(options, size_bytes_);
}

std::vector<double> ObjectValue::nearest_read_us(std::span<const int> shadows) const {
  std::vector<double> nearest(readers_.size());
  for (std::size_t i = 0; i < readers_.size(); ++i)
    nearest[i] = costs_.owner_read_us(readers_[i].rank, owner_, size_bytes_);
  for (int holder : shadows) add_copy(holder, nearest);
  return nearest;
}

std::vector<double> ObjectValue::read_us_from(int holder) const {
  std::vector<double> times(readers_.size());
  for (std::size_t i = 0; i < readers_.size(); ++i) {
    const int reader = readers_[i].rank;
    times[i] = costs_.remote_shadow_reads() || reader == holder ? costs_.read_us(reader, holder, size_bytes_)
                                                                : costs_.owner_read_us(reader, owner_, size_bytes_);
  }
  return times;
}

void ObjectValue::add_copy(int holder, std::span<double> nearest) const { add_copy(read_us_from(holder), nearest); }

void ObjectValue::add_copy(std::span<const double> times, std::span<double> nearest) {
  for (std::size_t i = 0; i < nearest.size(); ++i) nearest[i] = std::min(nearest[i], times[i]);
}

ValueTerms ObjectValue::terms(int holder, std::span<const double> nearest) const {
  return terms(holder, read_us_from(holder), nearest);
}

ValueTerms ObjectValue::terms(int holder, std::span<const double> times, std::span<const double> nearest) const {
  ValueTerms terms;
  for (std::size_t i = 0; i < readers_.size(); ++i) {
    const double saved = nearest[i] - times[i];
    if (saved > 0.0) terms.read_saving_us += readers_[i].predicted_reads * saved;
  }
  terms.dependency_factor = dependency_factor_;
  terms.propagation_us = predicted_writes_ * costs_.propagation_us(owner_, holder, size_bytes_);
  terms.memory_us = memory_us_;
  return terms;
}

ValueTerms ObjectValue::terms_with(int holder, std::span<const int> others) const {
  return terms(holder, nearest_read_us(others));
}

}  // namespace penumbra::shadow
