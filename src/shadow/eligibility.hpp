#pragma once
// Eligibility: what a shadow of one object on one rank is worth, in microseconds per epoch window, as a cost
// benefit: remote-read time saved (nearest-copy model, raised by dependencies) minus the owner's propagation
// time minus a memory rent. Pure: no MPI. The formula is in docs/shadows.md.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "penumbra/object_id.hpp"
#include "penumbra/shadow.hpp"
#include "shadow/cost_model.hpp"

namespace penumbra::shadow {

/// One object over one epoch window, as the mechanism counted it. Every per-rank vector has one entry per rank.
struct ObjectAccess {
  ObjectId id;
  int owner = 0;
  std::uint64_t size_bytes = 0;
  /// Reads issued by each origin rank in the last window (the owner's own reads included; they cost nothing
  /// to serve locally and are ignored).
  std::vector<double> reads_by_rank;
  /// Updates of the object in the last window, wherever they were issued (each one is propagated to every
  /// holder).
  double writes = 0.0;
  /// Reads by rank in the window before the last one; empty = unknown (no trend is applied).
  std::vector<double> previous_reads_by_rank;
  /// Writes in the window before the last one; unset = no trend on writes.
  std::optional<double> previous_writes;
  /// The load predictor's forecast of next window's reads by rank; when set it replaces the trend.
  std::vector<double> forecast_reads_by_rank;
  /// Forecast of next window's writes; when set it replaces the trend.
  std::optional<double> forecast_writes;
  /// Reads by rank in the next window that the application's declared dependencies imply under the current
  /// owners (declared_reads.hpp): a floor under the forecast, since a placement a migration has just changed
  /// has no measured reads yet. Empty: none declared.
  std::vector<double> declared_reads_by_rank = {};
  /// Dependency-chain length: the number of tasks or objects that rely on this object (declared by the
  /// application, later fed by the task scheduler). >= 0.
  std::int64_t dependents = 0;
  /// Ranks holding a shadow now (not the owner; a holder that became the owner is dropped).
  std::vector<int> holders;
};

/// Throws InvalidArgument naming the bad value: owner outside [0, ranks), a per-rank vector of the wrong
/// size, a NaN, infinite or negative count, negative dependents, a holder outside [0, ranks) or named twice.
void validate_access(const ObjectAccess& access, int ranks);

/// Expected counts for the next window.
struct Prediction {
  std::vector<double> reads_by_rank;
  double writes = 0.0;
};

/// The forecast if given; otherwise the last window moved by a damped trend, clamped at 0:
/// next = last + damping x (last - previous); below 8 counts in the two windows, their mean (a trickle is
/// not a trend). Without a previous window, next = last.
Prediction predict(const ObjectAccess& access, double trend_damping);

/// Rent of one copy of `size_bytes` per window: memory_weight_us_per_mib x size in MiB (shadows and home copies).
double memory_rent_us(const ShadowOptions& options, std::uint64_t size_bytes) noexcept;

/// The terms of a shadow's value (us per window): value = read_saving x dependency_factor - propagation - memory.
struct ValueTerms {
  double read_saving_us = 0.0;     ///< sum over readers of predicted reads x (nearest read now - with the copy)
  double dependency_factor = 1.0;  ///< 1 + dependency_weight x dependents
  double propagation_us = 0.0;     ///< predicted writes x time for the owner to propagate one version there
  double memory_us = 0.0;          ///< memory_weight_us_per_mib x size in MiB
  double value_us() const noexcept { return read_saving_us * dependency_factor - propagation_us - memory_us; }
};

/// The value model of one object: its readers (predicted reads > 0, owner excluded) and the cost of reaching
/// each copy. Copies are the owner's plus a set of shadows; a reader reads the copy nearest to it in time.
class ObjectValue {
 public:
  /// Does not validate `access` (call validate_access first). Keeps references to `costs` and `options`.
  ObjectValue(const ObjectAccess& access, const CostTable& costs, const ShadowOptions& options);

  struct Reader {
    int rank = 0;
    double predicted_reads = 0.0;
  };
  /// Readers other than the owner with predicted reads > 0, in rank order.
  const std::vector<Reader>& readers() const noexcept { return readers_; }
  double predicted_writes() const noexcept { return predicted_writes_; }
  int owner() const noexcept { return owner_; }
  std::uint64_t size_bytes() const noexcept { return size_bytes_; }

  /// For each reader (same order as readers()), the time of its read from the nearest of the owner's copy and
  /// the copies on `shadows`.
  std::vector<double> nearest_read_us(std::span<const int> shadows) const;
  /// For each reader (same order as readers()), the time of its read from a copy on `holder`.
  std::vector<double> read_us_from(int holder) const;
  /// Terms of a new copy on `holder` when readers currently read in `nearest` (from nearest_read_us).
  ValueTerms terms(int holder, std::span<const double> nearest) const;
  /// The same, with `times` = read_us_from(holder) computed once by the caller (the placement greedy asks
  /// about each candidate up to max_copies times).
  ValueTerms terms(int holder, std::span<const double> times, std::span<const double> nearest) const;
  /// Terms of a copy on `holder` added to the copies on `others` (the owner's copy is always there). This is
  /// the marginal value: a copy next to an existing one saves little.
  ValueTerms terms_with(int holder, std::span<const int> others) const;
  /// Lowers `nearest` where a copy on `holder` is nearer.
  void add_copy(int holder, std::span<double> nearest) const;
  /// Lowers `nearest` to `times` (= read_us_from(holder)) where a copy with those times is nearer.
  static void add_copy(std::span<const double> times, std::span<double> nearest);

 private:
  const CostTable& costs_;
  int owner_;
  std::uint64_t size_bytes_;
  std::vector<Reader> readers_;
  double predicted_writes_;
  double dependency_factor_;
  double memory_us_;
};

}  // namespace penumbra::shadow
