#pragma once
// The time model of the shadow policy: what a read costs from one rank to a copy on another, and what it
// costs the owner to propagate one new version to one holder. Plain data; the mechanism fills it from a
// start-up measurement, the defaults are ENVIRONMENT.md's figures. Pure: no MPI.
#include <array>
#include <cstdint>
#include <vector>

#include "penumbra/topology.hpp"

namespace penumbra::shadow {

/// Cost of moving `size` bytes between two ranks of one proximity class: base + us_per_kib x KiB.
struct TransferCost {
  double base_us = 0.0;
  double us_per_kib = 0.0;
};

inline constexpr std::size_t kProximityClasses = static_cast<std::size_t>(Proximity::other_node) + 1;

/// A read answered by the owner's CPU (request and reply through the messenger; the owner must be inside a
/// runtime call), beyond the one-sided time: `penumbra-bench-objects` at 2 ranks measured a remote read at
/// 2.35 us for 8 B and 30.5 us for 64 KiB, against 0.04 / 1.2 us for MPI_Get.
inline constexpr TransferCost kTwoSidedOwnerService = {2.3, 0.45};

/// What one rank measured its reads of other ranks' objects to cost while the application ran (moving averages
/// of whole reads, us; 0 = none measured). On oversubscribed ranks they are several times the latency probe's
/// idle figures: every blocking MPI call waits until the rank is scheduled again, and an owner answers only
/// once it is scheduled and inside a Penumbra call.
struct ObservedReadCost {
  double one_sided_us = 0.0;  ///< a copy read from another rank's window (a shadow or a home copy)
  double owner_us = 0.0;      ///< a read answered by the owner's CPU
};

/// Microseconds. Defaults: a node with dedicated cores and `MPI_Win_allocate` windows (ENVIRONMENT.md:
/// memcpy 0.03 us for 8 B and 0.60 us for 64 KiB; MPI_Get + flush 0.04-0.07 us for 8 B and 0.65 us for
/// 64 KiB), and, not measured here, a typical RDMA network between nodes (2 us, ~10 GB/s). On oversubscribed
/// ranks a get costs 10-24 us instead: there the mechanism must pass measured latencies (Topology's probe),
/// or the policy, rightly for the defaults, finds shadows inside a node barely worth their propagation.
struct CostModel {
  /// Indexed by Proximity. `self` is a read of a local copy (owner or shadow); the others are one-sided reads
  /// of a copy on another rank of that class.
  std::array<TransferCost, kProximityClasses> read_by_proximity = {{
      {0.03, 0.0089},  // self: memcpy, (0.60 - 0.03) us / 64 KiB
      {0.05, 0.0094},  // same_core: MPI_Get + flush, (0.65 - 0.05) us / 64 KiB
      {0.05, 0.0094},  // same_cache
      {0.06, 0.0094},  // same_numa
      {0.07, 0.0094},  // same_package
      {0.07, 0.0094},  // same_node
      {2.00, 0.1000},  // other_node: assumption (RDMA get ~2 us, ~10 GB/s), replace by a measurement
  }};
  /// When the Topology carries measured latencies (its probe), they replace `base_us` between two different
  /// ranks; the per-KiB part still comes from the class.
  bool use_measured_latency = true;
  /// Extra cost of a read served by the owner itself, added to the one-sided read time between the two ranks.
  /// 0 here (the owner's copy read like any other); the Runtime sets kTwoSidedOwnerService, because its
  /// owners keep their copies in the object store, not in a window, so a remote reader asks the owner's CPU.
  TransferCost owner_service = {0.0, 0.0};
  /// Whether a reader can read a shadow held by another rank (one-sided, found through the metadata
  /// service). When false, a copy serves only the rank that holds it, and every other reader's nearest copy
  /// stays the owner's: the Runtime sets false until its read path does nearest-copy remote reads.
  bool remote_shadow_reads = true;
  /// Fixed cost to the owner of propagating one version to one holder, on top of the put itself (which costs
  /// what a read between the two ranks costs): version header, flush, bookkeeping. Assumption.
  double propagation_base_us = 0.1;
  /// Per-KiB cost to the owner of propagating one version beyond the transfer (checksumming the value once
  /// per holder, about one memcpy pass). Assumption.
  double propagation_us_per_kib = 0.0089;
  /// By reader rank (empty: none): measured costs that raise the modelled ones (a reader's one-sided read of
  /// another rank, and its read answered by an owner), never lower them. A reader with no measurement of a
  /// kind (0) is taken to pay the median of the ranks that have one: the ranks share the machine, and a rank
  /// that has not yet asked an owner would otherwise be modelled at the idle figure (kTwoSidedOwnerService,
  /// ~4 us for 4 KiB) where the others measured ~1 ms (bench-rebalance, 8 ranks on 2 cores), and its copies
  /// judged not worth a write's propagation.
  std::vector<ObservedReadCost> observed;

  /// Throws InvalidArgument naming the first negative, NaN or infinite entry.
  void validate() const;
};

/// Read and propagation times for one topology, with the model applied. Keeps a reference to the topology
/// (large; the caller keeps it alive) and a copy of the model (small). It kept a reference to the model too,
/// and a test that passed `CostModel{}` read it after the temporary was gone (ASan stack-use-after-scope,
/// docs/reliability.md); a temporary topology is now a compile error.
class CostTable {
 public:
  CostTable(const Topology& topology, const CostModel& model);
  CostTable(Topology&&, const CostModel&) = delete;

  int rank_count() const noexcept { return topology_.rank_count(); }
  /// Time for `reader` to read `size_bytes` from a copy on `holder` (local read when they are equal).
  double read_us(int reader, int holder, std::uint64_t size_bytes) const;
  bool remote_shadow_reads() const noexcept { return model_.remote_shadow_reads; }
  /// Time for `reader` to read from the owner's own copy: local when it is the owner, else read_us plus the
  /// owner_service cost.
  double owner_read_us(int reader, int owner, std::uint64_t size_bytes) const;
  /// Time the owner spends propagating one version of `size_bytes` to `holder`.
  double propagation_us(int owner, int holder, std::uint64_t size_bytes) const;

 private:
  /// What `reader` was measured to pay (observed, or the median of the ranks that measured it).
  ObservedReadCost observed_for(int reader) const noexcept;

  const Topology& topology_;
  CostModel model_;
  bool measured_;
  ObservedReadCost median_observed_;  // of the positive entries of model_.observed, per kind (0: none)
};

}  // namespace penumbra::shadow
