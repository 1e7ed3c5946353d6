#pragma once
// The shadow metadata service: `{id, version, owner, locations[], size}` for every object, sharded by id over
// home ranks, each shard replicated on R ranks, read one-sided. See docs/metadata.md for the protocol.
//
//   - One MPI_Win_allocate window per service (layout.hpp: which rank holds which copy where), inside one
//     passive-target epoch (MPI_Win_lock_all) for the service's lifetime.
//   - Lookups are MPI_Gets of an id's probe run from the home's primary copy, validated record by record
//     (record.hpp); a torn record is read again a bounded number of times, then the replicas answer in order.
//     The home's CPU is never needed. A rank that homes the shard reads its private copy.
//   - Updates are staged, then flush() sends each home its batch as one synchronous metadata_update request.
//     Only the home writes its shard: it applies the batch to its private copy (shard_table.hpp: the
//     consistency rule), publishes the changed records into its primary copy (seqlock: sequence odd while
//     writing, checksum last) and MPI_Puts them into the replicas' regions, then flushes.
//   - Lookups of remotely homed ids are cached; a cached entry is dropped when a newer version is seen.
//
// Not thread-safe: one thread per rank uses a service (the Runtime's thread, whose messenger handler calls
// apply_batch while the rank is inside a Penumbra call).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "metadata/entry.hpp"
#include "metadata/layout.hpp"
#include "metadata/options.hpp"
#include "metadata/shard_table.hpp"
#include "mpi/communicator.hpp"
#include "mpi/window.hpp"
#include "transport/wire.hpp"

namespace penumbra::transport {
class Messenger;
}

namespace penumbra::metadata {

/// How a rank accesses the copies in its own window memory.
enum class SelfAccess : std::uint8_t {
  /// Loads and stores when the window's memory model is MPI_WIN_UNIFIED (Open MPI 4.1 and MPICH on every
  /// window we allocate), MPI_Get/MPI_Put to itself otherwise.
  automatic,
  /// Always MPI_Get/MPI_Put to itself: the MPI_WIN_SEPARATE path, forced in tests so it stays correct.
  rma,
};

/// What the service did on this rank since construction (or reset_counters()).
struct Counters {
  std::uint64_t lookups = 0;            ///< lookup() and fetch() calls
  std::uint64_t cache_hits = 0;         ///< lookups answered from the cache
  std::uint64_t local_reads = 0;        ///< reads by lookups of this rank's own memory (its shard or a copy it holds)
  std::uint64_t gets = 0;               ///< MPI_Get calls issued by lookups (each then flushed)
  std::uint64_t torn_retries = 0;       ///< probe runs read again after a record failed validation
  std::uint64_t replica_fallbacks = 0;  ///< times a lookup moved on to the next copy of a shard
  std::uint64_t not_found = 0;          ///< lookups of ids never registered or erased
  std::uint64_t cache_evictions = 0;    ///< cached entries dropped to stay within cache_entries
  std::uint64_t batches_sent = 0;       ///< metadata_update requests sent by flush()
  std::uint64_t batches_applied = 0;    ///< batches applied as home (received, or this rank's own)
  std::uint64_t updates_applied = 0;    ///< updates that superseded the stored record
  std::uint64_t updates_ignored = 0;    ///< updates older than the stored record
  std::uint64_t records_published = 0;  ///< records rewritten in this home's primary copy
  std::uint64_t records_mirrored = 0;   ///< record copies put into replica regions
  std::uint64_t records_repaired = 0;   ///< damaged copies rewritten by scrub()
};

/// What one batch did at its home.
struct ApplyResult {
  std::size_t applied = 0;
  std::size_t ignored = 0;
};

class MetadataService {
 public:
  /// Collective over `comm` (duplicated; the service keeps its own communicator). Every rank must pass the
  /// same options: otherwise, or if they are invalid, every rank throws ConfigError (or RemoteError naming the
  /// rank that failed).
  MetadataService(MPI_Comm comm, const Options& options, SelfAccess self_access = SelfAccess::automatic);
  /// Collective (MPI_Win_free): every rank destroys its service together, after its last lookup, with no
  /// metadata_update request in flight (the Runtime quiesces its messenger first).
  ~MetadataService();
  MetadataService(const MetadataService&) = delete;
  MetadataService& operator=(const MetadataService&) = delete;

  // ---- lookups ----
  /// The entry of `id`: from the cache, else as fetch(). std::nullopt when `id` is not registered or erased
  /// (an unknown id is not an error here: the caller decides, e.g. the Runtime throws UnknownObject).
  std::optional<Entry> lookup(ObjectId id);
  /// As lookup(id), but a cached entry older than `at_least` (a version the caller has seen elsewhere, e.g. in
  /// a shadow slot or a reply) is dropped and the copies are read again. The answer may still be older than
  /// `at_least` when the home has not applied that version yet.
  std::optional<Entry> lookup(ObjectId id, Version at_least);
  /// The cached entry of `id` in place, or nullptr when it is not cached (then lookup()). A hit counts as
  /// lookup()'s does. For the one-sided read path, where copying the entry's location list cost an allocation
  /// on every read. Valid until the next call that changes the cache (lookup, fetch, forget, ...).
  const Entry* cached(ObjectId id);
  /// The entry of `id` read from the shard's copies, never from the cache (which it refreshes). Throws
  /// SerializationError when every copy of the probe run stays invalid after the retries.
  std::optional<Entry> fetch(ObjectId id);

  // ---- the cache ----
  /// Drops the cached entry of `id` if it is older than `seen`; true if it did.
  bool invalidate_if_newer(ObjectId id, Version seen);
  void forget(ObjectId id);
  void clear_cache();
  std::size_t cached_entries() const noexcept { return cache_.size(); }

  // ---- updates ----
  /// Queues `entry` for its home. Throws InvalidArgument for a version 0, an owner or location outside the
  /// communicator, or more than metadata.max_locations locations. Drops the cached entry of the id.
  void stage(Entry entry);
  /// Queues the erase of `id` at version `erased_at` (the version the object had).
  void stage_erase(ObjectId id, Version erased_at);
  std::size_t staged_updates() const noexcept { return staged_count_; }
  /// Drops every staged update (e.g. those a failed flush kept); returns how many.
  std::size_t discard_staged();
  /// Applies the staged updates of shards this rank homes, and sends every other home its batch as a
  /// synchronous metadata_update request (serving incoming requests meanwhile). `messenger` must span the same
  /// ranks in the same order. Updates of one rank reach a home in the order they were staged. If a home
  /// fails, throws (RemoteError, or the home's error type when it has a Status) and keeps the updates not yet
  /// acknowledged staged; batches of at most kMaxUpdatesPerRequest each apply all or nothing.
  void flush(transport::Messenger& messenger);
  /// Applies a batch (encode_batch's bytes) to this rank's shard: what a home's handler of metadata_update
  /// calls. Throws SerializationError for malformed bytes, InvalidArgument for an id homed elsewhere,
  /// ConfigError naming metadata.slots_per_shard when the shard is full; the shard is then unchanged.
  ApplyResult apply_batch(std::span<const std::byte> batch);
  /// The messenger handler's case for Operation::metadata_update: apply_batch(request.payload), with the
  /// updates applied and ignored in the reply's `version` and `size_bytes` fields (for tracing). Throws
  /// InvalidArgument for any other operation; the messenger turns exceptions into failure replies.
  transport::Reply serve(const transport::Request& request);

  // ---- maintenance ----
  /// Home only (0 elsewhere): compares every copy of its shard (the primary in place, the replicas by
  /// MPI_Get) with its private copy and rewrites the records that differ. Returns how many it rewrote.
  /// One-sided; costs a read of R regions (a few MiB at the default size), so call it rarely (e.g. per epoch).
  std::size_t scrub();

  // ---- introspection ----
  const Layout& layout() const noexcept { return layout_; }
  const Options& options() const noexcept { return options_; }
  int rank() const noexcept { return comm_.rank(); }
  int size() const noexcept { return comm_.size(); }
  int home_of(ObjectId id) const { return layout_.home_of(id); }
  /// True when this rank reads and writes its own window memory with loads and stores.
  bool direct_self_access() const noexcept { return direct_; }
  const Counters& counters() const noexcept { return counters_; }
  void reset_counters() noexcept { counters_ = {}; }

  /// Testing only: damages this rank's copy `copy` (0 = primary) of `id`'s record so that it fails
  /// validation. Throws InvalidArgument when this rank does not hold that copy or the copy has no record of
  /// `id`.
  void corrupt_local_record_for_testing(ObjectId id, int copy);
  /// Testing only: called with every probe run a lookup has just read (target rank, copy, the bytes), before
  /// they are validated; it may change the bytes, as a Get torn by a concurrent write would have. Empty: none.
  using ReadFilter = std::function<void(int target, int copy, std::span<std::byte> run)>;
  void set_read_filter_for_testing(ReadFilter filter) { read_filter_ = std::move(filter); }

  /// Updates per metadata_update request; larger batches are split.
  static constexpr std::size_t kMaxUpdatesPerRequest = 16384;
  /// Extra reads of a copy whose probe run holds an invalid record, before the next copy is asked.
  static constexpr int kTornRetries = 3;
  /// Records fetched by a lookup's first MPI_Get (the rest of the probe run only when these hold other ids).
  static constexpr std::size_t kFirstRunRecords = 4;

 private:
  enum class ReadOutcome : std::uint8_t { found, absent, invalid };
  ReadOutcome read_copy(int home, int copy, ObjectId id, Record& record);
  std::optional<Entry> read_entry(ObjectId id);
  void remember(const Entry& entry);
  ApplyResult apply_updates(std::span<const Update> updates);
  void publish(std::span<const std::size_t> changed_slots);
  void store_local(std::size_t displacement, std::span<const std::byte> record);
  void read_window(int target, std::size_t displacement, std::span<std::byte> out);
  void write_window(int target, std::size_t displacement, std::span<const std::byte> bytes);
  void stage_update(Update update);

  mpi::Communicator comm_;
  Options options_;
  Layout layout_;
  mpi::Window window_;
  std::optional<mpi::LockAllEpoch> epoch_;
  bool direct_ = true;
  std::optional<ShardTable> shard_;  ///< the shard this rank homes, if any
  std::unordered_map<ObjectId, Entry> cache_;
  std::size_t eviction_cursor_ = 0;
  std::vector<std::vector<Update>> staged_;  ///< per home rank
  std::size_t staged_count_ = 0;
  std::vector<std::byte> run_;  ///< scratch for probe runs
  ReadFilter read_filter_;
  Counters counters_;
};

}  // namespace penumbra::metadata
