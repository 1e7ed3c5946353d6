#pragma once
// This rank's part of the shadow mechanism: the shadows it holds for other owners, the copies of its own
// objects held elsewhere, the read counters that feed the policy, propagation of new versions into the
// holders' slots, and the collective shadow epoch that turns a plan into slots. Decisions come in from the
// pure policy (a Planner); this file only carries them out.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "mpi/communicator.hpp"
#include "penumbra/detail/value.hpp"
#include "shadow/cost_model.hpp"
#include "shadow/resident_value.hpp"
#include "shadow/shadow_window.hpp"

namespace penumbra::shadow {

/// When the owner must push: at most this many versions behind, and no older than this.
struct StalenessBound {
  std::int64_t max_versions_behind = 1;
  double max_age_us = 1000.0;
};

/// A shadow this rank holds for another owner.
struct HeldShadow {
  int owner = -1;
  SlotAddress slot;
  Version verified = 0;  ///< version whose checksum this rank already checked
  double value_us = 0;   ///< the owner's valuation at the last epoch (admission and eviction order)
};

/// The owner's view of one of its objects at an epoch: the policy's input.
struct OwnedObjectStats {
  ObjectId id;
  std::uint64_t size_bytes = 0;
  std::vector<double> reads_by_rank;  ///< reads since the last epoch, by origin rank
  double writes = 0;                  ///< writes since the last epoch
  std::vector<int> holders;           ///< ranks holding a shadow now
  bool home_copy = false;             ///< the owner publishes it in its own window now
  /// Reads by rank over the next window that declared dependencies imply (ObjectAccess::declared_reads_by_rank);
  /// empty: none.
  std::vector<double> declared_reads_by_rank = {};
};

/// One shadow the policy wants (kept or created). `holder` == the owner asks for a home copy: the owner
/// publishes the object in a slot of its own window, so that remote readers get it one-sided instead of
/// through the owner's CPU (shadow.home_copies).
struct DesiredShadow {
  ObjectId id;
  int holder = -1;
  double value_us = 0;  ///< expected time saved per epoch, net of propagation and memory cost
};

/// Pure policy: the full set of shadows wanted for this owner's objects.
using Planner = std::function<std::vector<DesiredShadow>(std::span<const OwnedObjectStats>)>;
/// Current value and version of an object this rank owns (nullptr value: not owned / erased).
using OwnedValue = std::function<std::pair<detail::ValuePtr, Version>(ObjectId)>;

/// What changed at one epoch on this rank, for metadata updates and traces.
struct ShadowEpochReport {
  std::vector<ObjectId> changed;  ///< owned objects whose holder set changed
  std::size_t created = 0, dropped = 0, refused = 0, evicted = 0;
  std::size_t home_published = 0, home_released = 0;  ///< home copies made and given up at this epoch
  std::size_t bytes_pushed = 0;
};

struct ShadowCounters {
  std::uint64_t local_hits = 0, remote_hits = 0, misses = 0, torn_retries = 0, stale_skips = 0;
  std::uint64_t pushes = 0, bytes_pushed = 0;
  /// Copies of objects that migrated here which stayed valid (hand_over_moved), the old owner's own included.
  std::uint64_t copies_kept_at_moves = 0;
  /// Home copies published between epochs for declared reads (publish_home).
  std::uint64_t homes_published_ahead = 0;
  double one_sided_read_us = 0, owner_read_us = 0;  ///< time in reads of other ranks' objects, by kind
};

/// An object this rank owned until a migration landed, with where it went and its value at the move.
struct MovedAway {
  ObjectId id;
  int to = -1;
  detail::ValuePtr value;  ///< may be null: then the old owner keeps no copy
  Version version = 0;
};

class ShadowManager {
 public:
  /// Collective (creates the window). `budget_bytes`: this rank's shadow memory; `resident_bytes`: window room
  /// for resident home copies (0: every home copy is a second copy, within the budget).
  ShadowManager(const mpi::Communicator& comm, std::size_t budget_bytes, StalenessBound bound,
                std::size_t resident_bytes = 0);
  /// Where a resident home copy's value goes: the owner's store replaces the object's value (same version) by
  /// `value`, whose bytes are the slot's (resident_value.hpp). Without a sink no home copy is resident.
  using ResidentSink = std::function<void(ObjectId, Version, detail::ValuePtr value)>;
  void set_resident_sink(ResidentSink sink) { resident_sink_ = std::move(sink); }

  // ---- reads ---------------------------------------------------------------------------------------
  const HeldShadow* held(ObjectId id) const;
  HeldShadow* held(ObjectId id);
  /// Reads a local shadow (from held()). Updates its verified version on success.
  SlotRead read_held(ObjectId id, HeldShadow& shadow, Bytes& out);
  SlotRead read_held_into(ObjectId id, HeldShadow& shadow, std::span<std::byte> out);
  const ShadowWindow& window() const noexcept { return window_; }
  ShadowWindow& window() noexcept { return window_; }
  /// Counts a read of `id` (owned by `owner`, not this rank) for the next epoch's policy.
  void count_read(ObjectId id, int owner) {
    ReadCount& count = reads_[id];  // one lookup: this is on every shadow hit's path
    ++count.count;
    count.owner = owner;
  }
  /// The counter count_read(id, owner) adds to, for a reader that counts by itself (ReadHandle). Valid until
  /// the next epoch (run_epoch hands the counts to the owners and clears them).
  double& read_counter(ObjectId id, int owner) {
    ReadCount& count = reads_[id];
    count.owner = owner;
    return count.count;
  }
  /// A read of another rank's object took `us`: from a copy in a window (`one_sided`) or answered by its owner.
  void observe_read(bool one_sided, double us) noexcept {
    double& average = one_sided ? observed_.one_sided_us : observed_.owner_us;
    average = average == 0.0 ? us : 0.9 * average + 0.1 * us;
    (one_sided ? counters_.one_sided_read_us : counters_.owner_read_us) += us;
  }
  /// This rank's measured read costs (moving averages; 0 = none yet), for the policy of every owner.
  ObservedReadCost observed_read_cost() const noexcept { return observed_; }
  ShadowCounters& counters() noexcept { return counters_; }
  const ShadowCounters& counters() const noexcept { return counters_; }
  std::size_t held_count() const noexcept { return held_.size(); }
  /// Shadows of this rank's objects held by other ranks.
  std::size_t copy_count() const noexcept;
  /// For every copy of this rank's objects, how many versions it is behind the owner now (0 when pushed),
  /// one entry per copy: the staleness an epoch trace reports.
  std::vector<std::int64_t> versions_behind() const;

  // ---- owner side ----------------------------------------------------------------------------------
  /// Holders of `id`'s copies (empty when none; the home copy is not among them).
  const std::vector<SlotAddress>& copies_of(ObjectId id) const;
  /// The slot of this rank's own window where it publishes `id`, if it does.
  std::optional<SlotAddress> home_copy(ObjectId id) const;
  std::size_t home_count() const noexcept { return home_.size(); }
  /// Home copies that are their object's only copy on this rank (resident region), and their window bytes.
  std::size_t resident_count() const noexcept;
  std::size_t resident_bytes() const noexcept { return window_.resident_used_bytes(); }
  /// Records a new version of an owned object: its home copy is rewritten at once (a local copy and a
  /// checksum; a resident one then becomes the store's value through the sink); the shadows get it from
  /// propagate(). A value that outgrew its home slot gives the slot up.
  void note_write(ObjectId id, Version version, detail::ValuePtr value);
  /// What pushing one version to one holder has cost this rank (flush time over the batch's pushes, a moving
  /// average); nullopt before the first push. The policy's propagation cost, measured.
  std::optional<double> measured_push_us() const noexcept { return push_us_; }
  /// Pushes pending versions when the staleness bound requires it (or every pending one with `force`).
  /// Returns the bytes put. Copies whose slot is too small for the new value are dropped (listed in
  /// `dropped_out` if given) so the holder is never sent a partial value.
  std::size_t propagate(bool force, std::vector<ObjectId>* dropped_out = nullptr);
  /// Forgets every copy of these owned objects (erased or migrated away): their slots are marked "being
  /// written" at once, in one batch, so readers go to the owner; holders release them at the next epoch.
  void forget_owned(std::span<const ObjectId> ids);

  /// Collective, after a migration landed (every rank, the same migration; `owner_of` already names the new
  /// owners). A move keeps its object's copies instead of dropping them until the next shadow epoch: the old
  /// owner hands the slots of its copies (and of copies it was releasing) to the new owner, which pushes its
  /// writes there from now on; the old owner keeps its own value as a shadow of the new owner's object when its
  /// budget has room without evicting (its reads, and its neighbours', stay one-sided); holders learn the new
  /// owner; a copy held by the new owner itself is released (an owner holds no shadow of its own object).
  /// `moved_away`: this rank's objects that left; `owned_value`: this rank's objects now. The copies this rank
  /// was handed are counted in counters().copies_kept_at_moves.
  void hand_over_moved(std::span<const MovedAway> moved_away, const std::function<int(ObjectId)>& owner_of,
                                 const OwnedValue& owned_value);

  // ---- collective epoch ----------------------------------------------------------------------------
  /// Gathers read counts at owners, plans with `planner`, lets holders admit within their budgets, fills new
  /// slots with the current values. `owner_of` maps an id to its owner; `owned_value` reads this rank's objects;
  /// `declared_reads`: for owned objects, the reads by rank over the next window that declared dependencies
  /// imply (declared_reads.hpp), which the planner sees even for an object nobody has read remotely yet.
  using DeclaredReads = std::unordered_map<ObjectId, std::vector<double>>;
  ShadowEpochReport run_epoch(const std::function<int(ObjectId)>& owner_of, const OwnedValue& owned_value,
                              const Planner& planner, const DeclaredReads& declared_reads = {});

  /// Local, between epochs: publishes the owned object `id` in this rank's window (a home copy) when the window
  /// has room without evicting anything, valued `value_us` (admission order at the next epoch, which keeps or
  /// releases it like any other). For reads known to come (declared dependencies after a move) before the
  /// first of them asks the owner. The next epoch reports it as changed, so that readers forget cached entries
  /// that lack it. False when not owned, already published, or there is no room.
  bool publish_home(ObjectId id, double value_us, const OwnedValue& owned_value);

 private:
  struct Pending {
    Version version = 0;
    Version pushed = 0;
    detail::ValuePtr value;
    std::chrono::steady_clock::time_point first_unpushed{};
  };
  struct ReadCount {
    double count = 0;
    int owner = -1;
  };
  void stage_push(ObjectId id, const Pending& pending, const std::vector<SlotAddress>& targets);
  struct HomeCopy {
    SlotAddress slot;
    double value_us = 0;  // the policy's valuation (admission order against held shadows)
    bool resident = false;  // in the resident region: its bytes are the store's value (resident_value.hpp)
    std::weak_ptr<const ResidentValue> value;  // the value made of the slot's bytes, while anyone holds it
  };
  /// Writes `value` at `version` into the home slot; for a resident one, returns the value made of the slot's
  /// bytes (also handed to the sink), else null. A previous such value still held is detached first.
  detail::ValuePtr write_home(ObjectId id, HomeCopy& home, Version version, const detail::ValuePtr& value);
  void release_home(ObjectId id);
  /// A slot in the resident region for a home copy of `value`, when its bytes can be the store's value (a sink
  /// is set, plain bytes) and the region has room; else nullopt (the caller falls back to the budget).
  std::optional<SlotAddress> reserve_resident_slot(const detail::ValuePtr& value, std::size_t capacity);
  /// Records `id`'s home copy in `slot` and writes its value there.
  void install_home(ObjectId id, SlotAddress slot, double value_us, bool resident, Version version,
                    const detail::ValuePtr& value);

  const mpi::Communicator& comm_;
  ShadowWindow window_;
  StalenessBound bound_;
  std::unordered_map<ObjectId, HeldShadow> held_;
  std::unordered_map<ObjectId, std::vector<SlotAddress>> copies_;
  std::unordered_map<ObjectId, Pending> pending_;  // owned objects with copies: last version and what was pushed
  // Owned objects with a version not yet pushed: propagate() visits these only, not every object with copies
  // (it runs on every runtime call while any is pending). May hold ids no longer pending (skipped).
  std::vector<ObjectId> unpushed_;
  // Measured cost of one push (one version to one holder): the batch's flush time over its pushes, averaged.
  std::optional<double> push_us_;
  ObservedReadCost observed_;
  std::unordered_map<ObjectId, ReadCount> reads_;
  std::unordered_map<ObjectId, double> writes_;
  std::unordered_map<ObjectId, HomeCopy> home_;  // owned objects published in this rank's own window
  std::vector<ObjectId> home_released_;           // given up between epochs (outgrown, erased, moved)
  std::vector<ObjectId> home_published_ahead_;    // published between epochs (publish_home)
  std::vector<std::pair<int, ObjectId>> forgotten_;  // (holder, id) to release at the next epoch
  ShadowCounters counters_;
  ResidentSink resident_sink_;
};

}  // namespace penumbra::shadow
