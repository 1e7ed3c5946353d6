#pragma once
/// @file shadow.hpp
/// What users configure about shadows (versioned copies of hot objects on the ranks that read them): the
/// policy options, with their config keys, and the shape of a per-type conflict resolver. The policy itself
/// (which objects get shadows, where, which are evicted) is described in docs/shadows.md.

#include <cstdint>
#include <functional>

namespace penumbra {

/// Options of the shadow policy. Every time quantity is in microseconds *per epoch window* (the window over
/// which the mechanism counts reads and writes), so that values, thresholds and costs add up in one unit.
/// The config key of each field is `shadow.<field>`.
struct ShadowOptions {
  /// `shadow.enabled`: create shadows at all. When false the policy drops every shadow.
  bool enabled = true;
  /// `shadow.max_copies`: at most this many shadows of one object (the owner's copy not counted), 1..2^20.
  /// A value >= the number of ranks lets every rank that reads an object hold a copy (full replication of
  /// the objects worth it); that happens only if asked.
  std::int64_t max_copies = 2;
  /// `shadow.budget_bytes`: bytes of shadow values one rank may hold, 1..2^50 (0 only when disabled). The
  /// Runtime exposes this much memory per rank in one MPI_Win_allocate window (slot headers included).
  std::int64_t budget_bytes = std::int64_t{16} << 20;
  /// `shadow.min_value_us`: a new shadow must be worth at least this (us per window), >= 0.
  double min_value_us = 0.5;
  /// `shadow.hysteresis_us`: an existing shadow is kept while its value is >= -hysteresis_us, and it outranks
  /// a new candidate by min_value_us + hysteresis_us under the budget, so shadows do not flap. >= 0.
  double hysteresis_us = 0.5;
  /// `shadow.dependency_weight`: the read time saved is multiplied by (1 + dependency_weight x dependents),
  /// where dependents is the number of tasks or objects that rely on the object. >= 0.
  double dependency_weight = 0.1;
  /// `shadow.memory_weight_us_per_mib`: rent of shadow memory, charged per MiB per window. >= 0.
  double memory_weight_us_per_mib = 1.0;
  /// `shadow.trend_damping`: without a forecast, next window's reads = last + damping x (last - previous),
  /// clamped at 0 (below 8 counts in the two windows: their mean). 0 ignores the trend; 1 extrapolates it
  /// fully. In [0, 1].
  double trend_damping = 0.5;
  /// `shadow.headroom_weight`: candidates are ranked by (margin over their threshold) x
  /// (1 + headroom_weight x min(load_headroom, 1)); headroom never makes a worthless shadow worth creating.
  /// >= 0.
  double headroom_weight = 0.25;
  /// `shadow.max_candidates`: per object, only the heaviest this-many readers (plus the current holders) are
  /// considered, which bounds the policy's cost at large rank counts. 1..2^20.
  std::int64_t max_candidates = 64;
  /// `shadow.max_versions_behind`: a shadow serves a read only while it is at most this many versions behind
  /// the owner (0: only the owner's latest). Enforced by the mechanism. 0..10^6.
  std::int64_t max_versions_behind = 1;
  /// `shadow.max_age_us`: a shadow serves a read only if its version was current at most this long ago.
  /// Enforced by the mechanism: the owner pushes pending versions at its next runtime call after this long.
  /// 1..3.6e9 (one hour).
  double max_age_us = 1000.0;
  /// `shadow.full_replication`: every rank that has room holds a copy of every object, whatever it is worth
  /// (budgets still apply). For comparison runs (penumbra-bench-shadow's `full` mode), not for production.
  bool full_replication = false;
  /// `shadow.home_copies`: an owner publishes its remotely read objects in a slot of its own window (a home
  /// copy, rewritten at every write), so that a remote reader with no nearer copy gets the owner's value
  /// one-sided, without the owner's CPU. Decided per object by value like a shadow (read service time saved
  /// minus a local copy and checksum per write minus memory rent); needs `metadata.enabled`.
  bool home_copies = true;
  /// `shadow.keep_copies_on_move`: a migrated object keeps its copies. Its old owner hands them to the new
  /// owner, which pushes its writes there from the version it received, and keeps its own value as one more
  /// shadow where its budget has room (the next shadow epoch keeps or drops every copy by value, as any other).
  /// Off: a move drops the object's copies, and readers ask the new owner until the next shadow epoch places
  /// its own. Either way a landing that fails leaves the copies with their owner.
  bool keep_copies_on_move = true;
  /// `shadow.declared_reads`: declared dependencies (Runtime::declare_dependency) count as reads to come. Two
  /// objects exchanging data from two ranks are read across every step, so: each shadow epoch's forecast of the
  /// reads by rank is at least what the dependencies imply under the current owners (a placement a migration
  /// has just changed has no measured reads yet), and as a rebalance epoch's moves land, each owner publishes
  /// a home copy (needs `home_copies`) of every object of its own that a neighbour on another rank will read,
  /// where its window has room without evicting: the first reads after a move are then one-sided, not
  /// waits for a busy owner. Off: copies follow measured reads only.
  bool declared_reads = true;
  /// `shadow.resident_bytes`: window bytes per rank, besides the budget, for resident home copies: a home copy
  /// of an object whose bytes are its value (trivially copyable types, and values not decoded yet) lives there
  /// as the object's only copy on its owner (the store keeps no private one), so it is not a replica and
  /// does not compete with shadows for the budget. When this is full, or 0, home copies are second copies
  /// inside the budget. 0..2^50.
  std::int64_t resident_bytes = std::int64_t{16} << 20;
  /// `shadow.observed_costs`: the policy takes what reads and pushes have really cost on this machine (every
  /// reader's moving averages, gathered at each shadow epoch; the owner's push times) wherever they exceed
  /// the model's figures. Off: the model alone (the latency probe's or ENVIRONMENT.md's idle-machine figures),
  /// which makes placement a function of the counts only, as tests of the policy want.
  bool observed_costs = true;
  /// `shadow.history_versions`: versions of each shadowed object the owner keeps as merge bases for
  /// conflicting updates; an update based on an older version is resolved by last-writer-wins. 1..1024.
  std::int64_t history_versions = 4;

  /// Throws ConfigError naming the first invalid key (`shadow.<field>`), its value and the allowed range.
  void validate() const;

  bool operator==(const ShadowOptions&) const = default;
};

/// A per-type conflict resolver: two updates of one object made from the same `base` version (one already
/// applied at the owner, `mine`; one arriving, `theirs`). Its result becomes the object's next version on
/// every copy, exactly once. Must be deterministic and must not call Penumbra. Without a resolver for a type,
/// conflicts are settled by last-writer-wins on (version, rank): see docs/shadows.md.
template <class T>
using MergeFunction = std::function<T(const T& base, const T& mine, const T& theirs)>;

}  // namespace penumbra
