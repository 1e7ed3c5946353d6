#pragma once
/// @file runtime.hpp
/// penumbra::Runtime, the façade an application holds: built collectively on a communicator, it owns the
/// object store, the topology and every MPI resource Penumbra uses, and frees them all when destroyed.

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "penumbra/balance.hpp"
#include "penumbra/checkpoint.hpp"
#include "penumbra/codec.hpp"
#include "penumbra/config.hpp"
#include "penumbra/detail/value.hpp"
#include "penumbra/load.hpp"
#include "penumbra/migration.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/read_handle.hpp"
#include "penumbra/tasks.hpp"
#include "penumbra/topology.hpp"

namespace penumbra::rebalance {
enum class Trigger : std::uint8_t;  // why an epoch runs (src/rebalance/trigger.hpp); opaque here
}  // namespace penumbra::rebalance

namespace penumbra {

/// A value with the version it was read at.
template <class T>
struct Versioned {
  T value;
  Version version = 0;
};

/// How a read may be served.
struct ReadOptions {
  /// Oldest acceptable version. A copy older than this is skipped and the owner answers. A rank's own writes
  /// need none: a copy older than what this rank's last write of the object returned never serves its reads
  /// (read-your-writes). Pass the version another rank's write returned to read at least that.
  Version min_version = 0;
};

/// Shadow activity on this rank since the runtime was built.
struct ShadowStats {
  std::uint64_t local_hits = 0;    ///< reads served by a shadow this rank holds
  std::uint64_t remote_hits = 0;   ///< reads served one-sided from another rank's window (shadow or home copy)
  std::uint64_t owner_reads = 0;   ///< reads of other ranks' objects that went to the owner
  std::uint64_t torn_retries = 0;  ///< copies rejected by the version/checksum check and read again
  std::uint64_t stale_skips = 0;   ///< copies older than ReadOptions::min_version
  std::uint64_t pushes = 0;        ///< versions this rank pushed to its objects' shadows
  std::uint64_t bytes_pushed = 0;
  std::size_t shadows_held = 0;      ///< shadows of other ranks' objects held here now
  std::size_t held_bytes = 0;        ///< budget bytes in use: the shadows held and home copies that are second copies
  std::size_t copies_elsewhere = 0;  ///< shadows of this rank's objects held by other ranks now
  std::size_t home_copies = 0;       ///< this rank's objects it publishes in its own window (shadow.home_copies)
  /// Copies of objects that migrated to this rank which stayed valid through the move (the new owner pushes to
  /// them from the version it received), the old owner's own value kept as a shadow included.
  std::uint64_t copies_kept_at_moves = 0;
  /// Home copies this rank published as a migration landed, because a declared neighbour on another rank
  /// will read them (shadow.declared_reads): the first read across a boundary a move just made is one-sided.
  std::uint64_t homes_published_ahead = 0;
  /// Of `home_copies`, those that are their object's only copy here (shadow.resident_bytes: the store keeps no
  /// private copy), and the window bytes they use. Not replicas: outside held_bytes.
  std::size_t resident_home_copies = 0;
  std::size_t resident_bytes = 0;
  /// Time this rank spent in reads of other ranks' objects, in us, by kind: one-sided from a copy in a window
  /// (a shadow or a home copy; every attempt, torn ones included) and answered by the owner (`owner_reads`).
  /// The shadow policy weighs recent averages of the same times (shadow.observed_costs).
  double one_sided_read_us = 0;
  double owner_read_us = 0;
  /// Metadata lookups by this rank's reads that were answered from its cache, and one-sided gets they issued
  /// to the metadata homes (a lookup the cache does not answer costs one get, or more if a copy fails
  /// validation). After a shadow epoch only the objects whose copies changed are looked up again.
  std::uint64_t lookup_cache_hits = 0;
  std::uint64_t lookup_gets = 0;
};

/// Where an object is and what it holds, as its owner reports it.
struct ObjectInfo {
  ObjectId id;
  std::string name;  ///< "" for objects created by id
  int owner = 0;
  Version version = 0;
  std::size_t size_bytes = 0;  ///< encoded size (sizeof(T) for zero-copy types)
};

/// One per communicator. Object calls (create/read/write/erase/info) may be made by any rank at any time: the
/// owner answers when it next enters the runtime (any Penumbra call, or `progress()`), so a rank that waits
/// for others outside Penumbra should call `barrier()` rather than MPI_Barrier. Calls marked collective must
/// be made by every rank of the communicator, in the same order.
class Runtime {
 public:
  /// Collective. Duplicates `comm` (the application's communicator is never used directly) and reads the
  /// configuration with Config::load() (defaults, PENUMBRA_CONFIG file, PENUMBRA_* variables).
  explicit Runtime(MPI_Comm comm);
  /// Collective. Every rank must pass an equal `config`, else ConfigError on every rank.
  Runtime(MPI_Comm comm, Config config);
  /// Collective: waits until no rank has a request in flight, then frees every communicator and window.
  ~Runtime();
  Runtime(Runtime&&) noexcept;
  Runtime& operator=(Runtime&&) noexcept;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  int rank() const noexcept;
  int size() const noexcept;
  const Config& config() const noexcept;
  const Topology& topology() const noexcept;

  /// Creates an object (version 1) at its owner: the home rank of its id (see docs/objects.md) unless a
  /// migration moved that id. DuplicateObject if it exists, NameCollision if another name owns its id.
  /// (By const reference or rvalue, not by value: a large trivially copyable value is copied once, into the store.)
  template <Storable T>
  ObjectId create(ObjectRef ref, const T& value) {
    create_value(ref, detail::make_value(value));
    return ref.id();
  }
  template <Storable T>
  ObjectId create(ObjectRef ref, T&& value) {
    create_value(ref, detail::make_value(std::move(value)));
    return ref.id();
  }

  /// A copy of the value and its version, from the nearest valid copy: this rank's own object, a shadow held
  /// here, a shadow on another rank (one-sided), else the owner. Shadows may lag the owner within the
  /// configured staleness bound; `options.min_version` demands a newer one. UnknownObject, ObjectErased,
  /// WrongType, NameCollision on bad references.
  template <Storable T>
  Versioned<T> read(ObjectRef ref, ReadOptions options = {}) {
    if constexpr (is_zero_copy_v<T>) {
      return read_zero_copy<T>(ref, options);  // a prvalue: built in the caller's storage
    } else {
      auto found = view<T>(ref, options);
      return {*found.value, found.version};
    }
  }

  /// A handle for reading `ref` often (a hot loop): each `handle.read(options)` is `read<T>(ref, options)`,
  /// with what the read resolved cached, so that a hit on a shadow held here costs about a memcpy
  /// (read_handle.hpp, docs/shadows.md). Checks the object's type now: WrongType, UnknownObject, ObjectErased,
  /// NameCollision as read throws them (a rank that does not own the object asks its owner once).
  template <Storable T>
  ReadHandle<T> read_handle(ObjectRef ref) {
    check_readable(ref, type_tag<T>());
    return ReadHandle<T>(*this, ref.id());
  }

  /// Like read, without a copy when this rank owns the object: shares the stored value. The view is a
  /// snapshot: a later write installs a new value and leaves this one unchanged.
  template <Storable T>
  Versioned<std::shared_ptr<const T>> view(ObjectRef ref, ReadOptions options = {}) {
    auto [value, version, local] = read_value(ref, type_tag<T>(), options);
    auto typed = detail::as_typed<T>(value);
    if (local && value->typed_address() == nullptr)  // arrived by migration: keep the decoded form
      cache_decoded(ref.id(), version,
                    std::shared_ptr<const detail::ErasedValue>(std::make_shared<const detail::TypedValue<T>>(*typed)));
    return {std::move(typed), version};
  }

  /// Replaces the value at the owner; returns the new version (previous + 1). WrongType if the object holds
  /// another type; ObjectErased after erase.
  template <Storable T>
  Version write(ObjectRef ref, const T& value) {
    return write_value(ref, detail::make_value(value));
  }
  template <Storable T>
  Version write(ObjectRef ref, T&& value) {
    return write_value(ref, detail::make_value(std::move(value)));
  }

  /// Erases the object. Reads and writes then throw ObjectErased; `create` may bring it back, with a
  /// version above the erased one.
  void erase(ObjectRef ref);
  /// Owner, version, size and name of a live object.
  ObjectInfo info(ObjectRef ref);
  /// The rank that owns `ref` now, as this rank knows it (no communication).
  int owner_of(ObjectRef ref) const;
  /// Whether this rank holds a shadow of the object now (placed at the last shadow epoch). Local, no MPI.
  bool holds_shadow(ObjectRef ref) const;
  /// Ids of the live objects this rank owns, sorted.
  std::vector<ObjectId> local_objects() const;

  /// Collective. Every rank passes the moves of objects it owns (an empty span is fine). Objects travel
  /// serialized, are checked against a checksum, installed with their version, and then every rank's owner
  /// directory records the new owners. On any failure (bad move, serialization error, corrupted payload)
  /// every rank throws and no object has moved.
  MigrationReport migrate(std::span<const Move> moves);

  /// Serves the requests other ranks sent to this one and pushes pending versions to shadows when the
  /// staleness bound requires it. Cheap when there is nothing to do.
  void progress();
  /// Collective shadow epoch: read counts travel to the owners, the shadow policy decides which copies to
  /// keep, create or drop, holders admit them within their budgets, new copies are filled. `step()` runs it
  /// at every epoch when `Config::shadows` is on.
  void update_shadows();
  ShadowStats shadow_stats() const;
  /// Collective barrier that keeps serving requests while it waits.
  void barrier();
  /// Collective, bulk-synchronous. Runs a step: the tasks submitted since the last step travel to their ranks'
  /// queues; every rank waits for the others (serving requests), closes the load monitor's step, and agrees
  /// with one small allreduce whether a rebalance epoch is due (every `balance.epoch_every` steps, or when a
  /// rank's predicted load, queued tasks included, exceeds (1 + `balance.threshold`) x the mean); runs it if so
  /// (queued writing tasks follow their moved objects); every `epoch_interval` steps a shadow epoch; then the
  /// queued tasks run and their futures resolve; then, with `check_invariants`, the invariant check. Returns
  /// the step number.
  std::int64_t step();

  /// This rank's load monitor: measure the work done on objects with `monitor().measure_task(ids)` (a
  /// TaskScope), so that rebalance epochs see each object's cost. Reads and writes through the runtime record
  /// their accesses in it already.
  LoadMonitor& monitor() noexcept;
  /// Declares that `a` and `b` exchange `bytes_per_step` bytes each step (a halo): strategies that weigh
  /// communication keep them together. Declared once per pair, on any rank; 0 removes it.
  void declare_dependency(ObjectRef a, ObjectRef b, double bytes_per_step);
  /// Benchmarks only: the true cost per step of an object this rank owns over the next epoch, which the
  /// `oracle` strategy plans on. Forgotten after each epoch.
  void declare_next_cost(ObjectRef ref, double seconds_per_step);
  /// Collective: runs a rebalance epoch now (snapshot, predict, plan with `balance.strategy`, migrate,
  /// re-place shadows) and returns what it did.
  balance::EpochReport rebalance();
  /// Every rebalance epoch so far, oldest first.
  const std::vector<balance::EpochReport>& epoch_reports() const noexcept;
  std::int64_t steps() const noexcept;
  /// Collective. Throws InvariantViolation on every rank unless: each live object has exactly one owner,
  /// every rank's owner directory points at it, and no version went down since the previous check.
  void check_invariants();

  /// Collective. Writes every object this runtime holds (live objects with id, name, type tag, version and
  /// encoded value; tombstones with their version) and a manifest to `directory` (created if needed; on a
  /// file system every rank sees), each file checksummed. Atomic: the manifest is renamed into place last,
  /// after every rank has written its file, so the directory holds the new checkpoint complete, or (on any
  /// failure) still the previous one. Shadows are not written (they are copies). CheckpointError on every
  /// rank on failure, including a value whose serialization throws. docs/checkpoint.md.
  CheckpointReport checkpoint(const std::filesystem::path& directory);
  /// Collective, on a runtime that holds no object yet (InvalidArgument on every rank otherwise), with any
  /// number of ranks: installs the checkpoint in `directory`. Each object goes to its home rank in this job
  /// with its name, type and original version; tombstones keep their versions. Everything is validated on
  /// every rank (manifest, every file's checksum and counts, every record) before anything is installed: a
  /// damaged, partial or missing checkpoint throws CheckpointError on every rank and restores nothing.
  RestoreReport restore(const std::filesystem::path& directory);

  // ---- tasks (docs/tasks.md) -------------------------------------------------------------------------------

  /// Registers a task kind on this rank: `function(TaskContext&, const Args&)` returning a Storable result or
  /// void. Every rank must register the same kinds (names and types) before the first step that runs tasks;
  /// a rank that differs is named by UnknownTaskKind on every rank. UnknownTaskKind if `name` is empty or taken.
  template <Storable Args, class F>
  auto register_task(std::string name, F function)
      -> TaskKind<Args, std::invoke_result_t<F&, TaskContext&, const Args&>> {
    using R = std::invoke_result_t<F&, TaskContext&, const Args&>;
    static_assert(std::is_void_v<R> || Storable<R>, "a task returns void or a Storable value");
    register_erased(name, type_tag<Args>(), detail::result_tag<R>(),
                    [function = std::move(function)](TaskContext& context, std::span<const std::byte> args) -> Bytes {
                      const Args decoded = decode<Args>(args);
                      if constexpr (std::is_void_v<R>) {
                        function(context, decoded);
                        return {};
                      } else {
                        return encode<R>(function(context, decoded));
                      }
                    });
    return {std::move(name)};
  }
  /// The handle of a kind registered on this rank; UnknownTaskKind if there is none or its types differ.
  template <class Args, class R>
  TaskKind<Args, R> task_kind(std::string_view name) const {
    check_task_kind(name, type_tag<Args>(), detail::result_tag<R>());
    return {std::string(name)};
  }
  /// Submits a task from this rank; it runs at the next `step()` or `run_until_idle()` on the rank placement
  /// chooses, and its future resolves here at the end of that call. InvalidArgument for a bad spec (an object
  /// listed twice in one set, a negative or non-finite cost hint), UnknownTaskKind for an unregistered kind.
  template <class Args, class R>
  Future<R> submit(const TaskKind<Args, R>& kind, const Args& args, TaskSpec spec) {
    return Future<R>(
        submit_erased(kind.name, type_tag<Args>(), detail::result_tag<R>(), encode<Args>(args), std::move(spec)));
  }
  /// Collective: runs rounds of tasks until no rank has any left (tasks may submit tasks, which run in the next
  /// round). Returns the number of tasks run, all ranks. Does not end a step: no rebalance epoch runs.
  std::int64_t run_until_idle();
  /// What the scheduler did on this rank.
  TaskStats task_stats() const;

 private:
  struct ReadResult {
    detail::ValuePtr value;
    Version version = 0;
    bool local = false;
  };
  void create_value(ObjectRef ref, detail::ValuePtr value);
  ReadResult read_value(ObjectRef ref, std::uint64_t type_tag, const ReadOptions& options);
  /// read<T> for zero-copy types: straight into the result (no allocation, one copy on the local and
  /// one-sided paths); not value-initialised, since zeroing a 64 KiB value first would double the cost of a
  /// shadow hit. The result is declared at function scope and is the only thing returned, in a function with
  /// no other return statement, so that it is built in the caller's storage (NRVO), as in ReadHandle::read:
  /// with the result in an inner block and a second return expression, GCC 12 copied the whole value on the
  /// way out (1.6-2 us at 64 KiB, measured on the one-sided path: the get's own copy costs about as much), and
  /// so it did with this body inlined into read<T>, whose other branch returns another expression (a 64 KiB
  /// shadow hit 1.3 us against 0.65 us through a handle).
  template <Storable T>
  Versioned<T> read_zero_copy(ObjectRef ref, const ReadOptions& options) {
    Versioned<T> result;
    // A shadow held here that a read found lately: a handle's fast path (read_handle.hpp), inline.
    const std::size_t slot = detail::ReadCacheTable::slot_of(ref.id());
    if (read_cache_ == nullptr || read_cache_->ids[slot] != ref.id() || read_cache_->type_tags[slot] != type_tag<T>() ||
        !detail::read_resolved_shadow(*this, read_cache_->entries[slot], read_cache_->until_progress, result.value,
                                      result.version, options.min_version)) {
      if (!read_into(ref, type_tag<T>(), std::as_writable_bytes(std::span(&result.value, 1)), options,
                     result.version)) {
        auto found = view<T>(ref, options);  // only the owner's CPU can answer
        result.value = *found.value;
        result.version = found.version;
      }
    }
    return result;
  }
  // Zero-copy types: fills `out` from the owner's value or a shadow; false when only the owner's CPU can answer.
  // With a ReadHandle's `cache`, a hit on a shadow held here re-arms its fast path; without, it arms the entry
  // of Runtime::read's table (read_cache_).
  bool read_into(ObjectRef ref, std::uint64_t type_tag, std::span<std::byte> out, const ReadOptions& options,
                 Version& version, detail::ReadHandleCache* cache = nullptr);
  // read_handle: the object exists, is live and holds `type_tag` (store here, else the owner's info).
  void check_readable(ObjectRef ref, std::uint64_t type_tag);
  template <Storable T>
  friend class ReadHandle;
  friend void detail::pace_reads(Runtime&, std::int64_t&);
  friend bool detail::read_through_handle(Runtime&, ObjectId, std::uint64_t, detail::ReadHandleCache&,
                                          std::span<std::byte>, const ReadOptions&, Version&);
  Version write_value(ObjectRef ref, detail::ValuePtr value);
  void cache_decoded(ObjectId id, Version version, detail::ValuePtr decoded);
  balance::EpochReport run_epoch(rebalance::Trigger trigger);
  void register_erased(std::string name, std::uint64_t args_tag, std::uint64_t result_tag, detail::ErasedTask function);
  void check_task_kind(std::string_view name, std::uint64_t args_tag, std::uint64_t result_tag) const;
  std::shared_ptr<const detail::FutureState> submit_erased(std::string_view kind, std::uint64_t args_tag,
                                                           std::uint64_t result_tag, Bytes args, TaskSpec spec);
  // A collective round of the scheduler, in two halves (a rebalance epoch may run between them). begin: false
  // when no rank submitted anything (then there is no second half). finish: runs the queues; throws
  // TaskFailed/RemoteError after it under tasks.on_error = stop.
  bool begin_task_round();
  std::int64_t finish_task_round(std::int64_t& pending_everywhere);
  friend class TaskContext;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  detail::ReadCacheTable* read_cache_ = nullptr;  // Impl's, for read<T>'s inline fast path; null when moved from
};

template <Storable T>
Versioned<T> ReadHandle<T>::read() {
  return read(ReadOptions{});
}

template <Storable T>
Versioned<T> ReadHandle<T>::read(const ReadOptions& options) {
  // One object returned on every path, so that it is built in the caller's storage (NRVO): a second
  // return expression would cost a copy of the value, as much as the hit itself at 1 KiB.
  Versioned<T> result;  // not value-initialised, as in Runtime::read
  if constexpr (is_zero_copy_v<T>) {
    if (read_cached(result.value, result.version, options.min_version)) return result;
  }
  read_slow(result, options);
  return result;
}

template <Storable T>
void ReadHandle<T>::read_slow(Versioned<T>& result, const ReadOptions& options) {
  if (runtime_ == nullptr) detail::throw_empty_read_handle();
  if constexpr (is_zero_copy_v<T>) {
    if (detail::read_through_handle(*runtime_, id_, type_tag<T>(), cache_,
                                    std::as_writable_bytes(std::span(&result.value, 1)), options, result.version))
      return;
  }
  auto found = runtime_->view<T>(id_, options);  // only the owner's CPU can answer (or not zero-copy)
  result.value = *found.value;
  result.version = found.version;
}

template <Storable T>
Versioned<T> TaskContext::read(ObjectRef ref) {
  if (const detail::ValuePtr* staged = staged_or_declared(ref.id())) {
    if ((*staged)->type_tag() != type_tag<T>())
      throw WrongType(ref.id().value, "task " + to_string(id()) + " (" + kind() + ") read object " + ref.describe() +
                                          " as another type than the one it wrote");
    return {*detail::as_typed<T>(*staged), 0};
  }
  return runtime_.read<T>(ref);
}

}  // namespace penumbra
