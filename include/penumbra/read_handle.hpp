#pragma once
/// @file read_handle.hpp
/// penumbra::ReadHandle<T>, a reader's handle on one object for hot loops (`Runtime::read_handle<T>(ref)`), in
/// the way of Legion's and Kokkos' accessors: it resolves once where the object is read from (this rank's own
/// object, a shadow held here, or elsewhere) and then reads a shadow held here with a seqlock copy and a few
/// counter increments, inline, instead of the hash-map lookups and clock reads of `Runtime::read`. Semantics
/// are those of `Runtime::read`; docs/shadows.md, "Read handles", says how it stays correct.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "penumbra/codec.hpp"
#include "penumbra/load.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra {

class Runtime;
template <class T>
struct Versioned;
struct ReadOptions;

namespace detail {

/// What a ReadHandle resolved. Filled and revalidated by the runtime; the handle's inline fast path reads
/// only this. Every pointer is valid while `*generation == resolved_at`: the runtime bumps its generation
/// whenever an object, a slot or an owner may change (shadow epoch, migration, erase, restore).
struct ReadHandleCache {
  enum class Source : std::uint8_t {
    unresolved,  ///< the next read resolves
    owned,       ///< this rank owns the object: `object` is its entry in the store
    shadow,      ///< a shadow held here: `sequence` and `payload` are its slot in this rank's window
    elsewhere,   ///< another rank's copy or the owner's CPU: Runtime::read's path, every time
  };
  /// Atomic: a progress thread may bump it while the application reads (docs/design.md, "Progress thread").
  const std::atomic<std::uint64_t>* generation = nullptr;
  std::uint64_t resolved_at = 0;
  Source source = Source::unresolved;
  const void* object = nullptr;         ///< owned: the store's entry
  std::uint64_t* sequence = nullptr;    ///< shadow: the slot's sequence word
  const std::byte* payload = nullptr;   ///< shadow: the slot's payload
  std::uint64_t verified_sequence = 0;  ///< shadow: an even sequence whose id, size, type, checksum were checked
  std::uint64_t* hits = nullptr;        ///< shadow: ShadowStats::local_hits
  double* policy_reads = nullptr;       ///< shadow: the object's read count for the next shadow epoch
  ReadTally* tally = nullptr;           ///< the load monitor's reads of the object from this rank
  std::int64_t until_progress = 0;      ///< pacing countdown, in byte-equivalents (below)
};

// Pacing. A rank in a hot loop must keep serving other ranks' requests (and pushing due versions), which
// Runtime::read does by reading the clock on every call for its PollPacer; but a clock read costs 30 ns on this
// VM (85 ns when its 2 cores are contended), more than a whole 8-byte hit (4 ns in a loop). So a handle
// counts down instead: a read costs ~8 ns plus its copy, i.e. (320 + size) bytes at ~40 B/ns, and after
// 80 KiB-equivalents (~2 us of hits: 250 reads of 8 B, 61 of 1 KiB, every second of 64 KiB) the handle
// enters the runtime (clock, pacer, probe when due, pushes when due). The clock then costs under 5% of the
// reads, and a requester waits at most ~2 us more than the pacer's own interval (20 us or more).
inline constexpr std::int64_t kReadHandleFixedCost = 320;
inline constexpr std::int64_t kReadHandleProgressBudget = 80 * 1024;

/// Enters the runtime (serve requests when due, push due versions) and restarts `countdown` (a handle's own,
/// or the one Runtime::read's table below shares among its entries).
void pace_reads(Runtime& runtime, std::int64_t& countdown);

/// The fast path of a read resolved to a shadow held here, at a version already verified here, new enough,
/// the cache current; false sends the caller to its slow path. The seqlock of ShadowWindow::read_local without
/// its header copy and checks: the sequence word equals one verified (id, size, type, checksum) and no slot of
/// this rank's window is released or reused without a generation bump, so an unchanged sequence before and
/// after the copy means those same bytes. `countdown` paces the runtime's progress (above).
template <class T>
bool read_resolved_shadow(Runtime& runtime, ReadHandleCache& c, std::int64_t& countdown, T& value, Version& version,
                          Version min_version) {
  if (c.source != ReadHandleCache::Source::shadow) return false;
  if ((countdown -= kReadHandleFixedCost + static_cast<std::int64_t>(sizeof(T))) < 0)
    pace_reads(runtime, countdown);  // may serve an erase: the generation is checked after it
  if (c.generation->load(std::memory_order_acquire) != c.resolved_at) return false;
  std::atomic_ref<std::uint64_t> sequence(*c.sequence);
  const std::uint64_t before = sequence.load(std::memory_order_acquire);
  if (before != c.verified_sequence || before / 2 < min_version) return false;
  std::memcpy(static_cast<void*>(&value), c.payload, sizeof(T));
  std::atomic_thread_fence(std::memory_order_acquire);
  if (sequence.load(std::memory_order_relaxed) != before) return false;
  version = before / 2;
  ++*c.hits;
  *c.policy_reads += 1.0;
  ++c.tally->reads;
  c.tally->bytes += sizeof(T);
  return true;
}

/// Runtime::read's own handles: the shadows held here that reads went to lately, by object id, direct-mapped,
/// so that `rt.read` of such a shadow costs what a ReadHandle's read does (docs/shadows.md, "rt.read's cache").
/// An entry is armed by a read that found a valid shadow held here and lives until the runtime's generation
/// moves (any epoch, move, erase) or another id takes its place. One application thread uses the Runtime
/// (README), and only that thread touches the table.
struct ReadCacheTable {
  static constexpr std::size_t kEntries = 256;
  static std::size_t slot_of(ObjectId id) noexcept { return static_cast<std::size_t>(id.value % kEntries); }
  std::array<ObjectId, kEntries> ids{};  // the id each entry is armed for (0: none)
  std::array<std::uint64_t, kEntries> type_tags{};  // and the type it was read as (another type: the full read)
  std::array<ReadHandleCache, kEntries> entries{};
  std::int64_t until_progress = 0;  // one pacing countdown for every entry, as a loop over many objects needs
};
/// The handle's slow path: resolves again if the generation moved, then reads like Runtime::read into `out`
/// (owned object, shadow held here, nearest copy), re-arming the fast path. False when only the owner's CPU
/// can answer (the caller then takes Runtime::view's path).
bool read_through_handle(Runtime& runtime, ObjectId id, std::uint64_t type_tag, ReadHandleCache& cache,
                         std::span<std::byte> out, const ReadOptions& options, Version& version);
[[noreturn]] void throw_empty_read_handle();

}  // namespace detail

/// A handle on one object for a reader that reads it often: `auto h = rt.read_handle<Params>("params");` once,
/// then `h.read()` in the loop. Each read has the semantics of `rt.read<T>(id, options)`: this rank's own
/// object if it owns it, else a valid shadow held here (within the staleness bound), else the nearest copy
/// or the owner; `min_version` honoured; UnknownObject, ObjectErased, WrongType as `rt.read` throws them.
///
/// What it saves: the handle remembers what it resolved (the object's store entry, or the slot of the shadow
/// held here, and the counters a read adds to), so a shadow hit is a seqlock copy out of the slot and four
/// counter increments, inline (docs/shadows.md, measured: 1.0-1.3x a memcpy of the same bytes per read in the
/// benchmark, against 2-7x for `read`; 4 ns against 1.3 ns for 8 bytes in a tight loop).
/// The first read of each new version still verifies its checksum, as every local read does. A read still
/// counts for the shadow policy, the load monitor and ShadowStats exactly as `rt.read` would.
///
/// Staleness of the handle itself: the runtime's generation changes at every shadow epoch, migration, erase
/// and restore; the next read through the handle then resolves again (the object may have moved here or
/// away, its shadow may be gone or its slot reused for another object, none of which the handle reads).
/// The handle serves other ranks' requests as `read` does, only paced by a countdown instead of the clock.
///
/// Only trivially copyable types take the fast path; for the others a handle checks the type once and reads
/// with `rt.read`. A handle is created (and its type checked) on one rank and used there; it refers to its
/// Runtime, which must outlive it and stay where it is (a moved-from Runtime makes reads throw). Inside a
/// task use `TaskContext::read`: a handle does not check the task's declared reads.
template <Storable T>
class ReadHandle {
 public:
  /// An empty handle (reads throw InvalidArgument); assign one from Runtime::read_handle.
  ReadHandle() = default;

  /// The value and the version it was read at; see the class comment.
  Versioned<T> read();
  Versioned<T> read(const ReadOptions& options);

  ObjectId id() const noexcept { return id_; }
  bool empty() const noexcept { return runtime_ == nullptr; }

 private:
  friend class Runtime;
  ReadHandle(Runtime& runtime, ObjectId id) : runtime_(&runtime), id_(id) {}
  // Everything but the fast path, out of the caller's loop: resolve, the full local read, the owner.
  void read_slow(Versioned<T>& result, const ReadOptions& options);

  // The fast path (detail::read_resolved_shadow): a shadow held here, at a version already verified here.
  bool read_cached(T& value, Version& version, Version min_version) {
    // Checked here first: an empty handle (null runtime_) is unresolved, and must not bind a reference to it.
    if (cache_.source != detail::ReadHandleCache::Source::shadow) return false;
    return detail::read_resolved_shadow(*runtime_, cache_, cache_.until_progress, value, version, min_version);
  }

  Runtime* runtime_ = nullptr;
  ObjectId id_{};
  detail::ReadHandleCache cache_;
};

}  // namespace penumbra
