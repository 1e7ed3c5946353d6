// The façade: wires the components and routes each object call to the local store or to the owner. It holds
// no policy: placement, validation and planning live in their own modules.
#include "penumbra/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "checkpoint/checkpoint.hpp"
#include "metadata/options.hpp"
#include "metadata/service.hpp"
#include "migration/transfer.hpp"
#include "migration/transfer_plan.hpp"
#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"
#include "mpi/communicator.hpp"
#include "mpi/point_to_point.hpp"
#include "penumbra/errors.hpp"
#include "rebalance/rebalancer.hpp"
#include "runtime/epoch_tracer.hpp"
#include "runtime/progress_thread.hpp"
#include "shadow/declared_reads.hpp"
#include "shadow/planner.hpp"
#include "shadow/shadow_manager.hpp"
#include "tasks/placement.hpp"
#include "tasks/registry.hpp"
#include "tasks/scheduler.hpp"
#include "store/object_store.hpp"
#include "store/owner_directory.hpp"
#include "topology/discover.hpp"
#include "transport/messenger.hpp"
#include "transport/poll_pacer.hpp"
#include "transport/status.hpp"

namespace penumbra {
namespace {

// The share of its time an object call may spend in empty probes for requests, with and without a request
// doorbell. Rung requests are served without probing; the paced probe is only the insurance for a ring that
// landed late, and it advances an epoch's overlapped transfers.
constexpr double kProbeShareWithDoorbell = 0.02;
constexpr double kProbeShareWithoutDoorbell = 0.1;

constexpr double probe_share(bool doorbell) noexcept {
  return doorbell ? kProbeShareWithDoorbell : kProbeShareWithoutDoorbell;
}

// Every rank must run with the same configuration; a rank with another epoch interval would deadlock the
// first epoch. Compared by a hash of the effective configuration.
void check_same_configuration(const mpi::Communicator& comm, const Config& config) {
  const std::string differing = mpi::ranks_differing_from_root(comm, config.to_string());
  if (!differing.empty())
    throw ConfigError("configuration", "differs from rank 0's on rank(s) " + differing,
                      "the same configuration on every rank");
}

}  // namespace

struct Runtime::Impl {
  // `load_failure`: the configuration could not be read on this rank. It is raised only after the first
  // collective, so that every rank fails together instead of some waiting forever in MPI_Comm_dup.
  Impl(MPI_Comm comm, Config configuration, std::exception_ptr load_failure)
      : config(std::move(configuration)),
        collective(mpi::Communicator::duplicate(comm)),
        directory(collective.size()),
        messenger(mpi::Communicator::duplicate(comm),
                  [this](int source, transport::Request request) { return serve(source, std::move(request)); }) {
    mpi::run_agreed(collective, [&] {
      if (load_failure) std::rethrow_exception(load_failure);
      config.validate();
    });
    check_same_configuration(collective, config);
    messenger.use_doorbell(config.request_doorbell);
    // A monitor asked for counters the node lacks fails on that rank only: agree, so no rank waits alone.
    mpi::run_agreed(collective, [&] { rebalancer.emplace(config, collective.rank()); });
    topology = topology::discover(
        collective,
        topology::DiscoveryOptions{.virtual_nodes = static_cast<int>(config.virtual_nodes),
                                   .latency_probe = config.latency_probe,
                                   .latency_probe_samples = static_cast<int>(config.latency_probe_samples)});
    if (config.shadow.enabled)
      shadows.emplace(collective, static_cast<std::size_t>(config.shadow.budget_bytes),
                      shadow::StalenessBound{config.shadow.max_versions_behind, config.shadow.max_age_us},
                      static_cast<std::size_t>(config.shadow.resident_bytes));
    // A resident home copy's slot becomes the object's storage: the store lets go of its private copy.
    if (shadows)
      shadows->set_resident_sink([this](ObjectId id, Version version, detail::ValuePtr value) {
        store.adopt_resident(id, version, std::move(value));
      });
    // The metadata service only has locations to tell when there are shadows.
    if (config.shadow.enabled && config.metadata.enabled)
      metadata.emplace(collective.get(), metadata::from_config(config.metadata));
    tracer.emplace(collective, config, topology);
    scheduler.emplace(config.tasks, collective.rank(), collective.size());
    start_progress_thread();
  }

  // What task placement sees: owners, the replicated shadow holders, the last epoch's predicted loads.
  tasks::PlacementView placement_view() {
    predicted_step_loads = rebalancer->predicted_step_loads();
    return {.ranks = collective.size(),
            .owner_of = [this](ObjectId id) { return directory.owner_of(id); },
            .holders = shadows ? &holders : nullptr,
            .predicted_load = predicted_step_loads};
  }

  // Collective, after a shadow epoch, one allgatherv of (object, holder) pairs from the owners:
  // - every rank learns which ranks hold a copy of every object, so that placement and stealing can send
  //   read-only tasks there;
  // - every rank forgets its cached metadata entries of the objects whose copies changed (`changed`, marked in
  //   the pairs; an object left without copies, or whose change was its home copy, sends one unheld pair).
  //   Copies are placed only at epochs: an entry cached before would hide the new ones for as long as the object
  //   is not written (an entry without locations sends every read to the owner). The other entries stay cached:
  //   clearing the whole cache made every rank look up again, one get each, every object it read after every
  //   epoch. (A migration changes the owner, which read_remote_shadow notices by itself; a released or reused
  //   slot fails validation, which forgets the entry.)
  void share_copies(std::span<const ObjectId> changed) {
    struct Copy {
      ObjectId id;
      int holder;  // -1: none (a changed object's marker pair)
      int changed;
    };
    std::vector<Copy> mine;
    for (ObjectId id : store.live_ids())
      for (const shadow::SlotAddress& slot : shadows->copies_of(id))
        mine.push_back({id, slot.rank, std::ranges::binary_search(changed, id) ? 1 : 0});
    for (ObjectId id : changed)
      if (!store.owns_live(id) || shadows->copies_of(id).empty()) mine.push_back({id, -1, 1});
    holders.clear();
    for (const Copy& copy : mpi::allgatherv<Copy>(collective, mine)) {
      if (copy.holder >= 0) holders[copy.id].push_back(copy.holder);
      if (copy.changed && metadata) metadata->forget(copy.id);
    }
    for (auto& [id, ranks] : holders) std::sort(ranks.begin(), ranks.end());
  }

  // After every change of an owned object's value: shadows get the new version within the staleness bound.
  void after_local_write(ObjectId id) {
    if (!shadows) return;
    const store::StoredObject& object = store.get(id);
    shadows->note_write(id, object.version, object.value);
    shadows->propagate(false);
  }

  // ---- the metadata service: owners register their objects and copies; readers look up the nearest copy.
  // Owners stage, and the stage is flushed at the runtime's collective points (step, shadow epoch, migration):
  // a lookup that finds no entry yet simply asks the owner.
  void register_owned(ObjectId id) {
    if (!metadata || !store.owns_live(id)) return;
    const store::StoredObject& object = store.get(id);
    metadata::Entry entry{.id = id,
                          .version = object.version,
                          .owner = rank(),
                          .locations = {},
                          .size_bytes = object.value->known_size()};
    if (shadows) {
      // The home copy first: it is as near as the owner, and a reader takes the first of equally near copies.
      if (const std::optional<shadow::SlotAddress> home = shadows->home_copy(id))
        entry.locations.push_back({home->rank, home->offset, home->capacity});
      for (const shadow::SlotAddress& slot : shadows->copies_of(id)) {
        if (entry.locations.size() >= static_cast<std::size_t>(config.metadata.max_locations)) break;
        entry.locations.push_back({slot.rank, slot.offset, slot.capacity});
      }
    }
    metadata->stage(std::move(entry));
    ++metadata_updates;
  }
  void unregister(ObjectId id, Version erased_at) {
    if (!metadata) return;
    metadata->stage_erase(id, erased_at);
    ++metadata_updates;
  }
  // Collective: every rank sends its staged updates, then waits (serving) until no rank has a request in
  // flight, so that no home is left unable to answer because it already entered the next MPI collective.
  void flush_metadata() {
    if (!metadata) return;
    send_metadata();
    messenger.quiesce();
  }
  // The sending half, for callers that wait (serving) right after anyway.
  void send_metadata() {
    if (metadata && metadata->staged_updates() > 0) metadata->flush(messenger);
  }

  // A copy of another rank's object from a third rank's shadow, one-sided: the nearest holder the metadata
  // lists that is no farther than the owner (a farther copy is not worth skipping the owner for; an equally
  // near one is, since it needs no one's CPU). `get` copies from a slot address. nullopt: ask the owner.
  template <class Get>
  std::optional<Version> read_remote_shadow(ObjectId id, int owner, std::uint64_t type_tag, const ReadOptions& options,
                                            Get&& get) {
    if (!metadata || !shadows) return std::nullopt;
    // The cached entry is read in place (a copy of its location list was an allocation per read).
    std::optional<metadata::Entry> fetched;
    const metadata::Entry* entry = metadata->cached(id);
    if (!entry) {
      fetched = metadata->fetch(id);  // not cached: a lookup would only search the cache again
      entry = fetched ? &*fetched : nullptr;
    }
    // A cached entry from before a migration names the old owner (and its released copies): ask the home again.
    if (entry && entry->owner != owner) {
      fetched = metadata->fetch(id);
      entry = fetched ? &*fetched : nullptr;
    }
    if (!entry || entry->locations.empty() || entry->owner != owner) return std::nullopt;
    const Proximity owner_distance = topology.proximity(rank(), owner);
    const metadata::Location* nearest = nullptr;
    for (const metadata::Location& location : entry->locations) {
      if (location.rank == rank() || topology.proximity(rank(), location.rank) > owner_distance) continue;
      if (!nearest || topology.proximity(rank(), location.rank) < topology.proximity(rank(), nearest->rank))
        nearest = &location;
    }
    if (!nearest) return std::nullopt;
    const auto started = std::chrono::steady_clock::now();
    const shadow::SlotRead result =
        get(shadow::SlotAddress{nearest->rank, nearest->slot_offset, nearest->slot_capacity}, entry->size_bytes);
    shadows->observe_read(true, 1e6 * note_wait(started));
    // Torn, released or reused for another object: the cached locations are stale; ask again next time.
    if (result.check.state != shadow::SlotState::valid) metadata->forget(id);
    return accept_copy(result, id, owner, type_tag, options, shadows->counters().remote_hits);
  }

  // The checks every copy passes before a read returns it: valid (version and checksum), of the type read,
  // new enough. Counts the outcome; `hits` is the counter of this kind of copy (local or remote).
  std::optional<Version> accept_copy(const shadow::SlotRead& result, ObjectId id, int owner, std::uint64_t type_tag,
                                     const ReadOptions& options, std::uint64_t& hits) {
    shadow::ShadowCounters& counters = shadows->counters();
    if (result.check.state != shadow::SlotState::valid) {
      if (result.check.state == shadow::SlotState::torn) ++counters.torn_retries;
      return std::nullopt;
    }
    if (type_tag != 0 && result.type_tag != type_tag)
      throw WrongType(id.value,
                      fmt::format("object {} holds another type than the one read (type tag {:#x}, not {:#x})",
                                  to_string(id), result.type_tag, type_tag));
    if (result.check.version < options.min_version) {
      ++counters.stale_skips;
      return std::nullopt;
    }
    ++hits;
    shadows->count_read(id, owner);
    return result.check.version;
  }

  void forget_copies(std::span<const ObjectId> ids) {
    invalidate_read_handles();  // erased or moving away: no handle may keep the store entry
    if (shadows) shadows->forget_owned(ids);
  }

  // ---- read handles (read_handle.hpp): what a handle caches is valid while `read_generation` is unchanged,
  // so it is bumped wherever a store entry, a held slot, a read counter or an owner may change: erase and
  // migration (forget_copies, and after the move), shadow epochs, restore. Starts at 1: no cache matches 0.
  // Atomic: handles compare it without the gate while a progress thread may serve an erase.
  std::atomic<std::uint64_t> read_generation{1};
  void invalidate_read_handles() noexcept { read_generation.fetch_add(1, std::memory_order_acq_rel); }

  // Where a handle's reads come from now, and the counters a fast read adds to. Throws as a read would when
  // this rank owns the object (UnknownObject, ObjectErased, WrongType); leaves the cache unresolved then.
  void resolve_handle(ObjectId id, std::uint64_t type_tag, detail::ReadHandleCache& cache) {
    using Source = detail::ReadHandleCache::Source;
    detail::ReadHandleCache resolved;
    resolved.until_progress = cache.until_progress;
    resolved.generation = &read_generation;
    resolved.resolved_at = read_generation.load(std::memory_order_relaxed);
    resolved.tally = &rebalancer->monitor().read_tally(id);
    const int owner = directory.owner_of(id);
    if (owner == rank()) {
      resolved.object = &store.get(ObjectRef(id), type_tag);
      resolved.source = Source::owned;
    } else if (!resolve_held_shadow(id, owner, resolved)) {
      resolved.source = Source::elsewhere;
    }
    cache = resolved;
  }

  // The shadow part of a resolution: false unless a shadow of `id` is held here. verified_sequence stays 0:
  // the first read takes read_into and checks everything.
  bool resolve_held_shadow(ObjectId id, int owner, detail::ReadHandleCache& resolved) {
    shadow::HeldShadow* held = nullptr;
    // (The separate memory model needs MPI_Win_sync before each local read: those reads take read_into.)
    if (!shadows || !shadows->window().unified() || (held = shadows->held(id)) == nullptr) return false;
    std::byte* slot = shadows->window().local_slot(held->slot);
    resolved.sequence = reinterpret_cast<std::uint64_t*>(slot);
    resolved.payload = slot + sizeof(shadow::SlotHeader);
    resolved.hits = &shadows->counters().local_hits;
    resolved.policy_reads = &shadows->read_counter(id, owner);
    resolved.source = detail::ReadHandleCache::Source::shadow;
    return true;
  }

  // rt.read's table (read_handle.hpp): a read just got `version` of `id` from a valid shadow held here, with
  // id, size, type and checksum checked; the next reads of that version take the inline fast path.
  detail::ReadCacheTable read_cache;
  void arm_read_cache(ObjectId id, std::uint64_t type_tag, int owner, Version version) {
    const std::size_t slot = detail::ReadCacheTable::slot_of(id);
    detail::ReadHandleCache resolved;
    resolved.generation = &read_generation;
    resolved.resolved_at = read_generation.load(std::memory_order_relaxed);
    resolved.tally = &rebalancer->monitor().read_tally(id);
    read_cache.ids[slot] = ObjectId{};
    if (!resolve_held_shadow(id, owner, resolved)) return;
    resolved.verified_sequence = shadow::stable_sequence(version);
    read_cache.entries[slot] = resolved;
    read_cache.ids[slot] = id;
    read_cache.type_tags[slot] = type_tag;
  }

  // Entering the runtime: serve requests, push what the staleness bound says is due. Probing for requests is
  // an MPI call that yields the core when ranks are oversubscribed (~2-12 us here, ENVIRONMENT.md), which
  // would make a local shadow hit cost 100x a memcpy and a one-sided read two gets. So object calls learn of
  // requests from their doorbell (a load of their own memory) and probe only when one rang, plus as the pacer
  // says (empty probes under 2% of the time with the doorbell, 10% without); progress() probes on each call,
  // and waits (barrier() included) when a request rang and every 16th round.
  // With the doorbell the paced probe is only insurance, so the pacer's clock is read every kCallsPerClockRead
  // calls: a clock read is ~30 ns, ~18% of a shadow hit through rt.read (perf, docs/shadows.md). 16 calls of
  // the cheapest kind take ~2 us, well under the pacer's 20 us floor. Without the doorbell the probe is how
  // requests are found, and the clock is read on every call.
  static constexpr int kCallsPerClockRead = 16;
  int calls_until_clock = 0;
  void enter() {
    // The paced probe below stays for requests that did not ring (yet) and for an epoch's transfers.
    messenger.serve_rung();  // a load of this rank's doorbell; serves only what rang
    if (!config.request_doorbell || --calls_until_clock <= 0) {
      calls_until_clock = kCallsPerClockRead;
      const auto now = transport::PollPacer::Clock::now();
      if (poll_pacer.due(now)) {
        const std::size_t served = messenger.serve_pending();
        if (pending_moves) pending_moves->progress();  // an epoch's transfers advance while the application works
        poll_pacer.record(now, transport::PollPacer::Clock::now(), served);
      }
    }
    if (shadows) shadows->propagate(false);
  }

  // A copy from a shadow held here, if valid and new enough. `read` does the copy (into bytes or a typed
  // buffer); WrongType if the shadow holds another type.
  template <class ReadHeld>
  std::optional<Version> read_held_shadow(ObjectId id, int owner, std::uint64_t type_tag, const ReadOptions& options,
                                          ReadHeld&& read) {
    if (!shadows) return std::nullopt;
    shadow::HeldShadow* held = shadows->held(id);
    if (!held) return std::nullopt;
    return accept_copy(read(*held), id, owner, type_tag, options, shadows->counters().local_hits);
  }

  // Every access through the runtime counts for affinity: who reads and writes an object, and how much.
  void note_access(ObjectId id, std::size_t bytes, bool is_write) {
    rebalancer->monitor().record_access(id, rank(), bytes, is_write);
  }

  void count_owner_read(ObjectId id, int owner) {
    if (!shadows) return;
    ++shadows->counters().misses;
    shadows->count_read(id, owner);
  }

  // Executes a request from another rank on this rank's store.
  transport::Reply serve(int source, transport::Request request) {
    // Injected (fault.slow_serve_us): this rank answers late, as an owner busy in its own work would.
    if (config.fault.injects_on(rank()) && config.fault.slow_serve_us > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(config.fault.slow_serve_us));
    using transport::Operation;
    if (request.operation == Operation::steal_task) {
      transport::Reply reply;
      // Not from the progress thread: giving a task away updates the load monitor, which the application may
      // be using outside Penumbra (rt.monitor()). An empty answer is "nothing to steal here".
      if (!runtime::ProgressThread::on_progress_thread())
        reply.payload = scheduler->give_to(source, placement_view(), rebalancer->monitor());
      return reply;
    }
    const ObjectRef ref = request.name.empty() ? ObjectRef(request.id) : ObjectRef(std::string_view(request.name));
    if (ref.id() != request.id)
      throw InvalidArgument(fmt::format("request names '{}' but carries id {}", request.name, to_string(request.id)));
    transport::Reply reply;
    switch (request.operation) {
      case Operation::create:
        reply.version = store.create(
            ref, std::make_shared<const detail::EncodedValue>(request.type_tag, std::move(request.payload)));
        register_owned(ref.id());
        break;
      case Operation::read: {
        const store::StoredObject& object = store.get(ref, request.type_tag);
        reply.version = object.version;
        const auto bytes = object.value->bytes();
        reply.payload.assign(bytes.begin(), bytes.end());
        break;
      }
      case Operation::write:
        reply.version = store.write(
            ref, std::make_shared<const detail::EncodedValue>(request.type_tag, std::move(request.payload)));
        after_local_write(ref.id());
        break;
      case Operation::erase: {
        const Version erased_at = store.get(ref).version;
        store.erase(ref);
        forget_copies(std::span(&request.id, 1));
        unregister(request.id, erased_at);
        break;
      }
      case Operation::info: {
        const store::StoredObject& object = store.get(ref);
        reply.version = object.version;
        reply.size_bytes = object.size_bytes();
        reply.type_tag = object.type_tag();
        reply.text = object.name;
        break;
      }
      case Operation::steal_task:  // answered above: it names no object
        break;
      case Operation::metadata_update:
        if (!metadata)  // a stray request is refused rather than ignored
          throw InvalidArgument(
              fmt::format("metadata_update request at rank {}, which runs no metadata service", rank()));
        return metadata->serve(request);
    }
    return reply;
  }

  // Sends a request to the owner of `ref`, throwing the owner's error as its public type.
  // The task being measured was blocked on another rank since `started`: not its objects' cost (LoadMonitor).
  double note_wait(std::chrono::steady_clock::time_point started) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rebalancer->monitor().record_wait(seconds);
    return seconds;
  }

  transport::Reply call_owner(int owner, ObjectRef ref, transport::Operation operation, std::uint64_t type_tag,
                              Bytes payload = {}) {
    transport::Request request{operation, ref.id(), std::string(ref.name()), type_tag, std::move(payload)};
    const auto started = std::chrono::steady_clock::now();
    transport::Reply reply = messenger.call(owner, request);
    const double waited = note_wait(started);
    // A read the owner's CPU answered: what such reads cost this rank, for the shadow policy.
    if (operation == transport::Operation::read && shadows) shadows->observe_read(false, 1e6 * waited);
    if (reply.status != transport::Status::ok) transport::throw_failure(reply, ref.id(), owner);
    return reply;
  }

  static Bytes copy_of(std::span<const std::byte> bytes) { return Bytes(bytes.begin(), bytes.end()); }

  int rank() const noexcept { return collective.rank(); }

  Config config;
  // After `config`: who may touch this state when, with a progress thread (runtime/progress_thread.hpp).
  runtime::ApplicationGate gate{config.progress_thread};
  mpi::Communicator collective;  // collectives only; object requests travel on the messenger's own duplicate
  store::ObjectStore store;
  store::OwnerDirectory directory;
  transport::Messenger messenger;
  // After `config`: how often object calls probe for requests depends on whether requests ring a doorbell.
  transport::PollPacer poll_pacer{transport::PollPacer::kFloor, probe_share(config.request_doorbell)};
  Topology topology;
  std::optional<shadow::ShadowManager> shadows;       // after `collective` and `topology`: it uses both
  std::optional<metadata::MetadataService> metadata;  // with shadows: where the copies are
  std::optional<runtime::EpochTracer> tracer;         // writes the epoch trace when configured
  // Totals the trace reports per epoch (as deltas).
  std::uint64_t shadows_created = 0, shadows_dropped = 0, metadata_updates = 0;
  // Every object's declared neighbours, from the last rebalance epoch's snapshot (all ranks' declarations):
  // the reads to come that shadow.declared_reads places copies for.
  shadow::DeclaredGraph declared_graph;
  shadow::ReadHistory shadow_history;               // last epoch window's counts, for the policy's trend term
  std::optional<rebalance::Rebalancer> rebalancer;  // built once the configuration is agreed
  std::vector<balance::EpochReport> epoch_reports;
  std::int64_t steps = 0;
  std::unordered_map<ObjectId, Version> versions_at_last_check;
  // Tasks: the kinds registered here, the scheduler, who holds copies of what (refreshed at shadow epochs).
  tasks::KindRegistry task_kinds;
  std::optional<tasks::Scheduler> scheduler;
  tasks::HolderTable holders;
  std::vector<double> predicted_step_loads;  // the storage placement_view() lends out
  std::uint64_t read_only_on_copy = 0;
  // Moves an epoch started with balance.overlap_moves: they land at the next step (land_pending_moves). The
  // decided epoch stays for the moved objects' series; `pending_report` indexes its report.
  std::optional<migration::PendingMigration> pending_moves;
  std::optional<rebalance::DecidedEpoch> pending_epoch;
  std::size_t pending_report = 0;
  // Versions of this rank's objects at the last epoch, and its step: how often each was written since decides
  // whether an overlapped move sends its value early (migration::defer_transfer).
  std::unordered_map<ObjectId, Version> versions_at_last_epoch;
  std::int64_t last_epoch_step = 0;
  bool last_epoch_moved = false;      // whether the last rebalance epoch moved (or started moving) anything
  bool epoch_placed_shadows = false;  // whether it ran a shadow epoch after its moves
  // Last: it starts once everything it serves from exists, and is stopped and joined before any of it goes.
  std::optional<runtime::ProgressThread> progress_thread;

  // One Penumbra call of the application's thread: holds the gate for its duration (nested calls only count),
  // and reports a failure of the progress thread.
  class Call {
   public:
    explicit Call(Impl& impl) : entry_(impl.gate) { impl.rethrow_progress_failure(); }

   private:
    runtime::GateEntry entry_;
  };

  // One round of progress, with the gate held: Runtime::progress() and the progress thread's rounds. Serves
  // everything waiting (not paced, unlike enter()), advances overlapped moves, pushes what is due. True when it
  // served or pushed something.
  bool progress_round() {
    const std::size_t served = messenger.serve_rung() + messenger.serve_pending();
    if (pending_moves) pending_moves->progress();
    const std::size_t pushed = shadows ? shadows->propagate(false) : 0;
    return served + pushed > 0;
  }

  void start_progress_thread() {
    if (!config.progress_thread) return;
    mpi::run_agreed(collective, [] {
      int provided = MPI_THREAD_SINGLE;
      MPI_Query_thread(&provided);
      if (provided < MPI_THREAD_MULTIPLE)
        throw ConfigError("progress_thread", "true",
                          fmt::format("false, or MPI initialised with MPI_Init_thread(MPI_THREAD_MULTIPLE) (this "
                                      "process has thread level {}, MPI_THREAD_MULTIPLE is {})",
                                      provided, static_cast<int>(MPI_THREAD_MULTIPLE)));
    });
    progress_thread.emplace(gate, std::chrono::microseconds(config.progress_thread_max_sleep_us),
                            [this] { return progress_round(); });
  }

  // A round that threw stopped the thread; the application hears of it at its next call, once.
  void rethrow_progress_failure() {
    if (!progress_thread || !progress_thread->failure()) return;
    const std::exception_ptr failure = progress_thread->failure();
    progress_thread.reset();
    std::rethrow_exception(failure);
  }

  // Read-your-writes for a rank's writes to other ranks' objects: a copy older than the version such a write
  // returned does not serve this rank's reads. Copies may lag their owner by the staleness bound, and a moved
  // object's old owner keeps a copy (hand_over_moved), so without this a rank that wrote an object and read it
  // back could get its own older value. Cleared at shadow epochs and landings, which push every copy up to date.
  std::unordered_map<ObjectId, Version> own_write_floor;
  ReadOptions with_own_writes(ObjectId id, const ReadOptions& options) const {
    if (own_write_floor.empty()) return options;  // the common case on every read of another rank's object
    ReadOptions effective = options;
    if (const auto floor = own_write_floor.find(id); floor != own_write_floor.end())
      effective.min_version = std::max(effective.min_version, floor->second);
    return effective;
  }
  void note_own_remote_write(ObjectId id, Version version) {
    if (!shadows) return;
    Version& floor = own_write_floor[id];
    floor = std::max(floor, version);
    // A handle or rt.read's cache may serve the held copy's older version inline: they resolve again.
    if (shadows->held(id)) invalidate_read_handles();
  }

  // This rank's object `id` as the shadow mechanism sees it: its value and version, or null if not owned here.
  std::pair<detail::ValuePtr, Version> owned_value(ObjectId id) const {
    if (!store.owns_live(id)) return {nullptr, 0};
    const store::StoredObject& object = store.get(id);
    return {object.value, object.version};
  }

  // Reads per step that the declared dependencies make of this rank's objects under the current owners, by
  // reading rank (shadow.declared_reads; empty when off or nothing is declared).
  shadow::ShadowManager::DeclaredReads declared_reads_per_step() const {
    if (!shadows || !config.shadow.declared_reads || declared_graph.empty()) return {};
    std::vector<shadow::OwnedSize> owned;
    for (ObjectId id : store.live_ids()) owned.push_back({id, store.get(id).value->known_size()});
    return shadow::declared_remote_reads(
        declared_graph, owned, [this](ObjectId id) { return directory.owner_of(id); }, rank(), collective.size());
  }

  // As moves land: a home copy of every object of this rank that a declared neighbour on another rank will read
  // (where the window has room), registered before the landing's metadata flush. Without it the first reads
  // across a boundary the moves made went to this owner, which answers at its next call: ~1 ms a read in
  // bench-rebalance at 8 ranks, until the next shadow epoch. Each reader of a neighbour of an object it received
  // forgets its cached entry of that neighbour, which may predate the home copy.
  void publish_for_declared_reads(std::span<const ObjectId> received) {
    if (!metadata || !config.shadow.home_copies) return;
    const shadow::ShadowManager::DeclaredReads reads = declared_reads_per_step();
    if (reads.empty()) return;
    bool published = false;
    for (const auto& [id, by_rank] : reads)
      if (shadows->publish_home(id, config.shadow.min_value_us, [this](ObjectId object) { return owned_value(object); })) {
        register_owned(id);
        published = true;
      }
    if (published) invalidate_read_handles();  // a resident home copy replaced the store's value
    for (ObjectId id : received)
      if (const auto neighbours = declared_graph.find(id); neighbours != declared_graph.end())
        for (const balance::Edge& edge : neighbours->second)
          if (directory.owner_of(edge.other) != rank()) metadata->forget(edge.other);
  }

  // Collective: the owners of `pending`'s objects change. No request may be in flight meanwhile. A moved
  // object keeps its copies (ShadowManager::hand_over_moved): the new owner pushes to them from the version it
  // received, and the old owner keeps its value as one more shadow where its budget has room, so the readers
  // near either stay one-sided instead of asking the new owner until the next shadow epoch. A landing that
  // fails leaves the copies as they were, with their owner. This rank's older metadata updates reach the homes
  // before the new owners' do.
  migration::Landing land(migration::PendingMigration& pending) {
    messenger.quiesce();
    const bool keep_copies = shadows && config.shadow.keep_copies_on_move;
    std::vector<shadow::MovedAway> leaving;  // values at the move: the store lets go of them in finish
    if (keep_copies) {
      invalidate_read_handles();  // moving away: no handle may keep the store entry
      for (ObjectId id : pending.outgoing()) {
        const auto [value, version] = owned_value(id);
        leaving.push_back({.id = id, .to = -1, .value = value, .version = version});
      }
    } else {
      forget_copies(pending.outgoing());  // one batch of puts: readers go to the owner
    }
    flush_metadata();
    migration::Landing landing = pending.finish(store, directory);
    invalidate_read_handles();  // objects arrived and left, owners changed
    if (keep_copies) {
      for (shadow::MovedAway& moved : leaving) moved.to = directory.owner_of(moved.id);
      // An object erased while travelling stayed here (migration::PendingMigration::finish).
      std::erase_if(leaving, [&](const shadow::MovedAway& moved) { return moved.to == rank(); });
      shadows->hand_over_moved(
          leaving, [this](ObjectId id) { return directory.owner_of(id); },
          [this](ObjectId id) { return owned_value(id); });
      own_write_floor.clear();  // every copy was pushed up to date first
    }
    for (ObjectId id : landing.received) {
      register_owned(id);  // same version, new owner, the copies handed over with it
      versions_at_last_epoch[id] = store.get(id).version;  // its write rate counts from here
    }
    if (shadows) publish_for_declared_reads(landing.received);
    flush_metadata();
    return landing;
  }

  // Collective: the moves an epoch left travelling land now; their epoch's report gets what they cost. False
  // when none were travelling (the same on every rank: they were started collectively).
  bool land_pending_moves() {
    if (!pending_moves) return false;
    // Taken out first: a failed landing (a rank could not install) leaves nothing pending, and nothing moved.
    migration::PendingMigration pending = std::move(*pending_moves);
    const rebalance::DecidedEpoch decided = std::move(*pending_epoch);
    pending_moves.reset();
    pending_epoch.reset();
    const migration::Landing landing = land(pending);
    rebalancer->objects_moved(decided, landing.sent, landing.received);
    balance::EpochReport& report = epoch_reports.at(pending_report);
    report.objects_moved = landing.report.objects_moved_total;
    report.bytes_moved = landing.report.bytes_moved_total;
    report.objects_resent = landing.report.objects_resent_total;
    report.move_seconds = landing.report.seconds;
    return true;
  }
};

Runtime::Runtime(MPI_Comm comm) {
  Config config;
  std::exception_ptr load_failure;
  try {
    config = Config::load();
  } catch (...) {
    load_failure = std::current_exception();
  }
  impl_ = std::make_unique<Impl>(comm, std::move(config), load_failure);
  read_cache_ = &impl_->read_cache;
}

Runtime::Runtime(MPI_Comm comm, Config config)
    : impl_(std::make_unique<Impl>(comm, std::move(config), nullptr)), read_cache_(&impl_->read_cache) {}

Runtime::~Runtime() {
  if (!impl_) return;
  impl_->progress_thread.reset();  // stopped and joined first: what follows is the application's thread alone
  try {
    impl_->messenger.quiesce();  // nobody may still wait for a reply from this rank
    impl_->pending_moves.reset();  // travelling moves are abandoned (their sources still own everything)
  } catch (...) {
    // A destructor must not throw; the MPI error (if any) was already reported where it happened.
  }
}

Runtime::Runtime(Runtime&& other) noexcept
    : impl_(std::move(other.impl_)), read_cache_(std::exchange(other.read_cache_, nullptr)) {}

Runtime& Runtime::operator=(Runtime&& other) noexcept {
  impl_ = std::move(other.impl_);
  read_cache_ = std::exchange(other.read_cache_, nullptr);
  return *this;
}

int Runtime::rank() const noexcept { return impl_->rank(); }
int Runtime::size() const noexcept { return impl_->collective.size(); }
const Config& Runtime::config() const noexcept { return impl_->config; }
const Topology& Runtime::topology() const noexcept { return impl_->topology; }

void Runtime::create_value(ObjectRef ref, detail::ValuePtr value) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    impl_->store.create(ref, std::move(value));
    impl_->register_owned(ref.id());
    return;
  }
  impl_->call_owner(owner, ref, transport::Operation::create, value->type_tag(), Impl::copy_of(value->bytes()));
}

Runtime::ReadResult Runtime::read_value(ObjectRef ref, std::uint64_t type_tag, const ReadOptions& options) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    const store::StoredObject& object = impl_->store.get(ref, type_tag);
    impl_->note_access(ref.id(), object.value->known_size(), false);
    // A resident value's bytes are rewritten in place at the next write (the progress thread's included) and
    // the caller decodes them past the gate: it gets a copy.
    if (object.value->in_window())
      return {std::make_shared<const detail::EncodedValue>(type_tag, Impl::copy_of(object.value->bytes())),
              object.version, false};
    return {object.value, object.version, true};
  }
  const ReadOptions effective = impl_->with_own_writes(ref.id(), options);
  Bytes bytes;
  if (auto version = impl_->read_held_shadow(ref.id(), owner, type_tag, effective,
                                             [&](shadow::HeldShadow& held) { return impl_->shadows->read_held(ref.id(), held, bytes); })) {
    impl_->note_access(ref.id(), bytes.size(), false);
    return {std::make_shared<const detail::EncodedValue>(type_tag, std::move(bytes)), *version, false};
  }
  if (auto version = impl_->read_remote_shadow(
          ref.id(), owner, type_tag, effective, [&](const shadow::SlotAddress& slot, std::size_t expected_size) {
            return impl_->shadows->window().get(slot, ref.id(), expected_size, bytes);
          })) {
    impl_->note_access(ref.id(), bytes.size(), false);
    return {std::make_shared<const detail::EncodedValue>(type_tag, std::move(bytes)), *version, false};
  }
  impl_->count_owner_read(ref.id(), owner);
  transport::Reply reply = impl_->call_owner(owner, ref, transport::Operation::read, type_tag);
  impl_->note_access(ref.id(), reply.payload.size(), false);
  return {std::make_shared<const detail::EncodedValue>(type_tag, std::move(reply.payload)), reply.version, false};
}

bool Runtime::read_into(ObjectRef ref, std::uint64_t type_tag, std::span<std::byte> out, const ReadOptions& options,
                        Version& version, detail::ReadHandleCache* cache) {
  const Impl::Call call(*impl_);
  impl_->enter();
  if (cache) cache->until_progress = detail::kReadHandleProgressBudget;
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    const store::StoredObject& object = impl_->store.get(ref, type_tag);
    const std::span<const std::byte> bytes = object.value->bytes();
    if (bytes.size() != out.size()) return false;
    std::memcpy(out.data(), bytes.data(), bytes.size());
    version = object.version;
    impl_->note_access(ref.id(), out.size(), false);
    return true;
  }
  const ReadOptions effective = impl_->with_own_writes(ref.id(), options);
  if (auto found = impl_->read_held_shadow(ref.id(), owner, type_tag, effective,
                                           [&](shadow::HeldShadow& held) {
                                             return impl_->shadows->read_held_into(ref.id(), held, out);
                                           })) {
    version = *found;
    // A handle's next reads of this version copy it inline: id, size, type and checksum are checked now.
    if (cache && cache->source == detail::ReadHandleCache::Source::shadow &&
        cache->resolved_at == impl_->read_generation.load(std::memory_order_relaxed))
      cache->verified_sequence = shadow::stable_sequence(*found);
    else if (!cache)
      impl_->arm_read_cache(ref.id(), type_tag, owner, *found);  // and so do rt.read's
    impl_->note_access(ref.id(), out.size(), false);
    return true;
  }
  if (auto found = impl_->read_remote_shadow(ref.id(), owner, type_tag, effective,
                                             [&](const shadow::SlotAddress& slot, std::size_t) {
                                               return impl_->shadows->window().get_into(slot, ref.id(), out);
                                             })) {
    version = *found;
    impl_->note_access(ref.id(), out.size(), false);
    return true;
  }
  return false;
}

void Runtime::check_readable(ObjectRef ref, std::uint64_t type_tag) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    impl_->store.get(ref, type_tag);
    return;
  }
  const transport::Reply reply = impl_->call_owner(owner, ref, transport::Operation::info, 0);
  if (reply.type_tag != type_tag)
    throw WrongType(ref.id().value,
                    fmt::format("read_handle: object {} holds another type than the one read (type tag {:#x}, not {:#x})",
                                ref.describe(), reply.type_tag, type_tag));
}

namespace detail {

void throw_empty_read_handle() {
  throw InvalidArgument("read through an empty ReadHandle (make one with Runtime::read_handle)");
}

void pace_reads(Runtime& runtime, std::int64_t& countdown) {
  if (!runtime.impl_) throw InvalidArgument("read through a ReadHandle whose Runtime was moved from");
  const Runtime::Impl::Call call(*runtime.impl_);
  runtime.impl_->enter();
  countdown = kReadHandleProgressBudget;
}

bool read_through_handle(Runtime& runtime, ObjectId id, std::uint64_t type_tag, ReadHandleCache& cache,
                         std::span<std::byte> out, const ReadOptions& options, Version& version) {
  if (!runtime.impl_) throw InvalidArgument("read through a ReadHandle whose Runtime was moved from");
  Runtime::Impl& impl = *runtime.impl_;
  const Runtime::Impl::Call call(impl);
  const auto generation = [&impl] { return impl.read_generation.load(std::memory_order_relaxed); };
  if (cache.source == ReadHandleCache::Source::owned && cache.resolved_at == generation() &&
      (cache.until_progress -= kReadHandleFixedCost + static_cast<std::int64_t>(out.size())) < 0)
    pace_reads(runtime, cache.until_progress);  // may serve an erase or a write of the object: checked below
  if (cache.source == ReadHandleCache::Source::unresolved || cache.resolved_at != generation())
    impl.resolve_handle(id, type_tag, cache);
  if (cache.source != ReadHandleCache::Source::owned) return runtime.read_into(id, type_tag, out, options, version, &cache);
  // This rank's own object, its store entry cached: no directory or store lookup, the access tallied.
  const auto& object = *static_cast<const store::StoredObject*>(cache.object);
  const std::span<const std::byte> bytes = object.value->bytes();
  if (bytes.size() != out.size()) return false;
  std::memcpy(out.data(), bytes.data(), bytes.size());
  version = object.version;
  ++cache.tally->reads;
  cache.tally->bytes += bytes.size();
  return true;
}

}  // namespace detail

Version Runtime::write_value(ObjectRef ref, detail::ValuePtr value) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  impl_->note_access(ref.id(), value->known_size(), true);
  if (owner == rank()) {
    const Version version = impl_->store.write(ref, std::move(value));
    impl_->after_local_write(ref.id());
    return version;
  }
  const Version version =
      impl_->call_owner(owner, ref, transport::Operation::write, value->type_tag(), Impl::copy_of(value->bytes()))
          .version;
  impl_->note_own_remote_write(ref.id(), version);
  return version;
}

void Runtime::cache_decoded(ObjectId id, Version version, detail::ValuePtr decoded) {
  const Impl::Call call(*impl_);
  impl_->store.cache_decoded(id, version, std::move(decoded));
}

void Runtime::erase(ObjectRef ref) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    const Version erased_at = impl_->store.get(ref).version;
    impl_->store.erase(ref);
    const ObjectId id = ref.id();
    impl_->forget_copies(std::span(&id, 1));
    impl_->unregister(id, erased_at);
  } else
    impl_->call_owner(owner, ref, transport::Operation::erase, 0);
}

ObjectInfo Runtime::info(ObjectRef ref) {
  const Impl::Call call(*impl_);
  impl_->enter();
  const int owner = impl_->directory.owner_of(ref.id());
  if (owner == rank()) {
    const store::StoredObject& object = impl_->store.get(ref);
    return {ref.id(), object.name, owner, object.version, object.size_bytes()};
  }
  const transport::Reply reply = impl_->call_owner(owner, ref, transport::Operation::info, 0);
  return {ref.id(), reply.text, owner, reply.version, static_cast<std::size_t>(reply.size_bytes)};
}

int Runtime::owner_of(ObjectRef ref) const {
  const Impl::Call call(*impl_);
  return impl_->directory.owner_of(ref.id());
}

bool Runtime::holds_shadow(ObjectRef ref) const {
  const Impl::Call call(*impl_);
  return impl_->shadows && impl_->shadows->held(ref.id()) != nullptr;
}

std::vector<ObjectId> Runtime::local_objects() const {
  const Impl::Call call(*impl_);
  return impl_->store.live_ids();
}

MigrationReport Runtime::migrate(std::span<const Move> moves) {
  const Impl::Call call(*impl_);
  impl_->land_pending_moves();  // one migration at a time: an epoch's travelling moves land first
  impl_->messenger.quiesce();   // no rank may wait for a reply while others are in the collectives below
  migration::PendingMigration pending =
      migration::PendingMigration::start(impl_->collective, impl_->store, moves, impl_->config.fault);
  return impl_->land(pending).report;
}

void Runtime::progress() {
  const Impl::Call call(*impl_);
  impl_->progress_round();  // what the progress thread does in a round
}

void Runtime::update_shadows() {
  const Impl::Call call(*impl_);
  barrier();  // collective whatever the configuration: callers rely on it as an epoch boundary
  if (!impl_->shadows) return;
  const std::unordered_map<ObjectId, std::int64_t> dependents = impl_->scheduler->take_readers();
  // Every owner values copies with what reads have really cost each reader (one small allgather).
  const bool observe = impl_->config.shadow.observed_costs;
  std::vector<shadow::ObservedReadCost> observed;
  if (observe) observed = mpi::allgather(impl_->collective, impl_->shadows->observed_read_cost());
  const shadow::Planner planner =
      shadow::make_planner(impl_->config, impl_->topology, rank(), impl_->shadow_history, dependents,
                           observe ? impl_->shadows->measured_push_us() : std::nullopt, std::move(observed));
  // Declared reads per window of the next epoch_interval steps: a floor under the planner's forecast.
  shadow::ShadowManager::DeclaredReads declared = impl_->declared_reads_per_step();
  for (auto& [id, reads] : declared)
    for (double& per_step : reads) per_step *= static_cast<double>(impl_->config.epoch_interval);
  const shadow::ShadowEpochReport report =
      impl_->shadows->run_epoch([this](ObjectId id) { return impl_->directory.owner_of(id); },
                                [this](ObjectId id) { return impl_->owned_value(id); }, planner, declared);
  impl_->invalidate_read_handles();  // held slots released, evicted and reserved; read counts handed over
  impl_->own_write_floor.clear();     // the epoch pushed every copy up to date first
  impl_->shadows_created += report.created;
  impl_->shadows_dropped += report.dropped + report.evicted;
  for (ObjectId id : report.changed) impl_->register_owned(id);  // new holder sets reach the readers
  impl_->flush_metadata();
  impl_->share_copies(report.changed);  // report.changed is sorted
}

ShadowStats Runtime::shadow_stats() const {
  const Impl::Call call(*impl_);
  ShadowStats stats;
  if (!impl_->shadows) return stats;
  const shadow::ShadowCounters& c = impl_->shadows->counters();
  stats.local_hits = c.local_hits;
  stats.remote_hits = c.remote_hits;
  stats.owner_reads = c.misses;
  stats.torn_retries = c.torn_retries;
  stats.stale_skips = c.stale_skips;
  stats.pushes = c.pushes;
  stats.bytes_pushed = c.bytes_pushed;
  stats.shadows_held = impl_->shadows->held_count();
  stats.held_bytes = impl_->shadows->window().used_bytes();
  stats.copies_elsewhere = impl_->shadows->copy_count();
  stats.home_copies = impl_->shadows->home_count();
  stats.copies_kept_at_moves = c.copies_kept_at_moves;
  stats.homes_published_ahead = c.homes_published_ahead;
  stats.resident_home_copies = impl_->shadows->resident_count();
  stats.resident_bytes = impl_->shadows->resident_bytes();
  stats.one_sided_read_us = c.one_sided_read_us;
  stats.owner_read_us = c.owner_read_us;
  if (impl_->metadata) {
    stats.lookup_cache_hits = impl_->metadata->counters().cache_hits;
    stats.lookup_gets = impl_->metadata->counters().gets;
  }
  return stats;
}

void Runtime::barrier() {
  const Impl::Call call(*impl_);
  impl_->messenger.quiesce();
}

std::int64_t Runtime::step() {
  const Impl::Call call(*impl_);
  // Moves the last epoch left travelling (balance.overlap_moves) land before this step's tasks are placed, and
  // the moved objects get copies from their new owners.
  if (impl_->land_pending_moves()) update_shadows();
  // The step's tasks reach their ranks' queues first, so that the epoch below sees them as queued work (the
  // predictor's incoming load) and moves objects before the work they carry runs.
  const bool tasks_queued = begin_task_round();
  impl_->send_metadata();
  // Every rank finishes the step's requests (metadata updates included) before the trigger's allreduce: a rank
  // blocked in the allreduce could not serve a request another rank still waits for.
  barrier();
  const std::int64_t step = ++impl_->steps;
  const std::vector<ObjectId> owned = impl_->store.live_ids();
  const rebalance::Trigger trigger = impl_->rebalancer->end_step(
      impl_->collective, step, owned, [this](ObjectId id) { return impl_->store.owns_live(id); });
  const bool rebalanced = trigger != rebalance::Trigger::none;
  if (rebalanced) run_epoch(trigger);
  const bool shadow_epoch = step % impl_->config.epoch_interval == 0;
  // An epoch that re-placed the shadows needs no second shadow epoch (nor one whose moves land next step).
  if (shadow_epoch && !(rebalanced && (impl_->epoch_placed_shadows || impl_->pending_moves))) update_shadows();
  if (tasks_queued) {
    if (rebalanced) impl_->scheduler->reroute(impl_->collective, impl_->placement_view(), monitor());
    std::int64_t pending = 0;
    finish_task_round(pending);  // tasks submitted while it runs wait for the next step
  }
  if (shadow_epoch && impl_->config.check_invariants) check_invariants();
  return step;
}

LoadMonitor& Runtime::monitor() noexcept { return impl_->rebalancer->monitor(); }

void Runtime::declare_dependency(ObjectRef a, ObjectRef b, double bytes_per_step) {
  const Impl::Call call(*impl_);
  if (!std::isfinite(bytes_per_step) || bytes_per_step < 0.0)
    throw InvalidArgument(fmt::format("declare_dependency({}, {}): bytes_per_step = {} (expected a finite value >= 0)",
                                      to_string(a.id()), to_string(b.id()), bytes_per_step));
  if (a.id() == b.id())
    throw InvalidArgument(fmt::format("declare_dependency: object {} cannot depend on itself", to_string(a.id())));
  impl_->rebalancer->declare_dependency(a.id(), b.id(), bytes_per_step);
}

void Runtime::declare_next_cost(ObjectRef ref, double seconds_per_step) {
  const Impl::Call call(*impl_);
  if (!std::isfinite(seconds_per_step) || seconds_per_step < 0.0)
    throw InvalidArgument(fmt::format("declare_next_cost({}): seconds_per_step = {} (expected a finite value >= 0)",
                                      to_string(ref.id()), seconds_per_step));
  if (!impl_->store.owns_live(ref.id()))
    throw InvalidArgument(fmt::format("declare_next_cost({}): rank {} does not own it (owner: rank {})",
                                      to_string(ref.id()), rank(), impl_->directory.owner_of(ref.id())));
  impl_->rebalancer->declare_next_cost(ref.id(), seconds_per_step);
}

balance::EpochReport Runtime::rebalance() {
  const Impl::Call call(*impl_);
  barrier();
  if (impl_->land_pending_moves()) update_shadows();
  return run_epoch(rebalance::Trigger::manual);
}

const std::vector<balance::EpochReport>& Runtime::epoch_reports() const noexcept { return impl_->epoch_reports; }

balance::EpochReport Runtime::run_epoch(rebalance::Trigger kind) {
  std::vector<rebalance::OwnedObject> owned;
  for (ObjectId id : impl_->store.live_ids()) owned.push_back({id, impl_->store.get(id).size_bytes()});
  // Copies' lag before the epoch pushes what is pending (the migration does): what readers saw lately.
  const std::vector<std::int64_t> versions_behind =
      impl_->shadows && impl_->tracer->enabled() ? impl_->shadows->versions_behind() : std::vector<std::int64_t>{};
  const rebalance::DecidedEpoch decided =
      impl_->rebalancer->decide(impl_->collective, impl_->topology, kind, impl_->steps, owned);
  impl_->rebalancer->after_epoch(decided);
  if (impl_->shadows && impl_->config.shadow.declared_reads) impl_->declared_graph = shadow::declared_graph(decided.input);
  runtime::EpochClocks clocks;
  clocks.move.start = std::chrono::steady_clock::now();
  // With balance.overlap_moves the transfers travel during the next step and land at its end; the report's
  // move figures are completed then. An object written in most steps since the last epoch would arrive stale
  // and travel twice: its value waits for the landing.
  const std::int64_t window = impl_->steps - impl_->last_epoch_step;
  const auto defer = [&](ObjectId id) {
    const auto earlier = impl_->versions_at_last_epoch.find(id);
    return earlier != impl_->versions_at_last_epoch.end() &&
           migration::defer_transfer(impl_->store.get(id).version, earlier->second, window);
  };
  const bool overlapping = impl_->config.balance.overlap_moves;
  migration::PendingMigration moves = migration::PendingMigration::start(
      impl_->collective, impl_->store, decided.my_moves, impl_->config.fault,
      overlapping ? std::function<bool(ObjectId)>(defer) : std::function<bool(ObjectId)>());
  impl_->versions_at_last_epoch.clear();  // the baseline only overlapped moves read
  if (overlapping)
    for (ObjectId id : impl_->store.live_ids()) impl_->versions_at_last_epoch[id] = impl_->store.get(id).version;
  impl_->last_epoch_step = impl_->steps;
  balance::EpochReport report = decided.report;
  impl_->last_epoch_moved = !moves.empty();  // the same on every rank: the plan is
  const bool overlap = overlapping && impl_->last_epoch_moved;
  report.objects_moved = moves.objects_total();
  report.bytes_moved = moves.bytes_total();
  report.overlapped = overlap;
  if (overlap) {
    impl_->pending_moves.emplace(std::move(moves));
    impl_->pending_epoch = decided;
    impl_->pending_report = impl_->epoch_reports.size();
  } else if (impl_->last_epoch_moved) {  // a plan without moves needs no landing (and its collectives)
    const migration::Landing landing = impl_->land(moves);
    impl_->rebalancer->objects_moved(decided, landing.sent, landing.received);
    report.objects_moved = landing.report.objects_moved_total;
    report.bytes_moved = landing.report.bytes_moved_total;
    report.move_seconds = landing.report.seconds;
  }
  clocks.move.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clocks.move.start).count();
  // Moved objects kept their copies (or lost them, without shadow.keep_copies_on_move), but their readers are
  // not the same ranks any more: a periodic or manual epoch re-places shadows for the new owners, and the
  // metadata service learns them (for travelling moves, once they land). An epoch that moved nothing leaves the
  // copies as they are, and so does a threshold epoch, which can come every few steps: re-placing every copy on
  // a read window of two or three steps cut the demo's hit rate from 93% to 77-81%.
  clocks.metadata.start = std::chrono::steady_clock::now();
  impl_->epoch_placed_shadows = !overlap && impl_->last_epoch_moved && kind != rebalance::Trigger::threshold;
  if (impl_->epoch_placed_shadows) update_shadows();
  clocks.metadata.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clocks.metadata.start).count();
  if (impl_->tracer->enabled()) {
    const ShadowStats stats = shadow_stats();
    impl_->tracer->record(impl_->collective, decided, kind, clocks,
                          {.shadow_hits = stats.local_hits + stats.remote_hits,
                           .shadow_misses = stats.owner_reads,
                           .shadows_created = impl_->shadows_created,
                           .shadows_dropped = impl_->shadows_dropped,
                           .metadata_lookups = impl_->metadata ? impl_->metadata->counters().lookups : 0,
                           .metadata_updates = impl_->metadata_updates},
                          versions_behind);
  }
  impl_->epoch_reports.push_back(report);
  return report;
}

std::int64_t Runtime::steps() const noexcept { return impl_->steps; }

void Runtime::check_invariants() {
  const Impl::Call call(*impl_);
  struct Owned {
    ObjectId id;
    Version version;
  };
  barrier();
  std::vector<Owned> mine;
  for (ObjectId id : impl_->store.live_ids()) mine.push_back({id, impl_->store.get(id).version});
  std::vector<int> counts;
  const std::vector<Owned> all = mpi::allgatherv<Owned>(impl_->collective, mine, &counts);

  mpi::run_agreed(impl_->collective, [&] {
    std::unordered_map<ObjectId, int> holder;
    std::unordered_map<ObjectId, Version> versions;
    std::size_t index = 0;
    for (int rank = 0; rank < size(); ++rank) {
      for (int k = 0; k < counts[static_cast<std::size_t>(rank)]; ++k, ++index) {
        const Owned& owned = all[index];
        if (auto [it, inserted] = holder.emplace(owned.id, rank); !inserted)
          throw InvariantViolation(
              fmt::format("object {} is owned by ranks {} and {}", to_string(owned.id), it->second, rank));
        if (const int known = impl_->directory.owner_of(owned.id); known != rank)
          throw InvariantViolation(fmt::format("object {} is owned by rank {} but rank {}'s directory says {}",
                                               to_string(owned.id), rank, this->rank(), known));
        if (auto previous = impl_->versions_at_last_check.find(owned.id);
            previous != impl_->versions_at_last_check.end() && previous->second > owned.version)
          throw InvariantViolation(fmt::format("object {} went back from version {} to {}", to_string(owned.id),
                                               previous->second, owned.version));
        versions[owned.id] = owned.version;
      }
    }
    impl_->versions_at_last_check = std::move(versions);
  });
}

CheckpointReport Runtime::checkpoint(const std::filesystem::path& directory) {
  const Impl::Call call(*impl_);
  barrier();
  if (impl_->land_pending_moves()) update_shadows();  // the cut has settled owners  // no request in flight: every store holds this cut's values, and none changes while we write
  return checkpoint::write(impl_->collective, impl_->store, directory, impl_->config.to_string(), impl_->steps,
                           impl_->config.fault);
}

RestoreReport Runtime::restore(const std::filesystem::path& directory) {
  const Impl::Call call(*impl_);
  barrier();
  impl_->land_pending_moves();
  // Same count on every rank, so every rank throws alike: restoring into a runtime with objects would mix
  // two histories (and a tombstone here could make a restored version go back).
  if (const std::int64_t holding = mpi::allreduce_sum(impl_->collective, impl_->store.empty() ? 0 : 1); holding > 0)
    throw InvalidArgument(
        fmt::format("restore({}): {} rank(s) already hold objects; restore needs a runtime without any",
                    directory.string(), holding));
  checkpoint::Restored restored = checkpoint::read(impl_->collective, directory, impl_->config.fault);
  // The validated store replaces the empty one in one move that cannot fail; registering with the metadata
  // service afterwards only tells readers where copies are (a lookup that finds nothing asks the owner).
  impl_->store = std::move(restored.store);
  impl_->directory = store::OwnerDirectory(size());  // every object is at its home
  impl_->invalidate_read_handles();
  for (ObjectId id : impl_->store.live_ids()) impl_->register_owned(id);
  impl_->flush_metadata();
  return restored.report;
}

// ---- tasks ----------------------------------------------------------------------------------------------------

void Runtime::register_erased(std::string name, std::uint64_t args_tag, std::uint64_t result_tag,
                              detail::ErasedTask function) {
  const Impl::Call call(*impl_);
  impl_->task_kinds.add({std::move(name), args_tag, result_tag, std::move(function)});
}

void Runtime::check_task_kind(std::string_view name, std::uint64_t args_tag, std::uint64_t result_tag) const {
  const Impl::Call call(*impl_);
  impl_->task_kinds.expect(name, args_tag, result_tag);
}

std::shared_ptr<const detail::FutureState> Runtime::submit_erased(std::string_view kind, std::uint64_t args_tag,
                                                                  std::uint64_t result_tag, Bytes args, TaskSpec spec) {
  const Impl::Call call(*impl_);
  impl_->task_kinds.expect(kind, args_tag, result_tag);
  if (!std::isfinite(spec.cost_hint_s) || spec.cost_hint_s < 0.0)
    throw InvalidArgument(fmt::format("submit('{}'): cost_hint_s = {} (expected a finite value >= 0)", kind,
                                      spec.cost_hint_s));
  for (const auto* set : {&spec.reads, &spec.writes}) {
    std::vector<ObjectId> sorted = *set;
    std::sort(sorted.begin(), sorted.end());
    if (auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
      throw InvalidArgument(fmt::format("submit('{}'): object {} is listed twice in the {} set", kind,
                                        to_string(*twice), set == &spec.reads ? "read" : "write"));
  }
  return impl_->scheduler->submit(tasks::TaskRecord{.id = {},
                                                    .kind = std::string(kind),
                                                    .reads = std::move(spec.reads),
                                                    .writes = std::move(spec.writes),
                                                    .cost_hint_s = spec.cost_hint_s,
                                                    .args = std::move(args)});
}

bool Runtime::begin_task_round() {
  const Impl::Call call(*impl_);
  // Nothing submitted anywhere: one allreduce, and no all-to-all for applications that use no tasks. It serves
  // requests while it waits: a rank still reading from this one must get its answer before the round starts.
  const std::int64_t submitted_here = impl_->scheduler->has_submitted() ? 1 : 0;
  std::int64_t submitted_anywhere = 0;
  mpi::Request agreed = mpi::start_allreduce_sum(impl_->collective, submitted_here, submitted_anywhere);
  impl_->messenger.wait_serving(agreed);
  if (submitted_anywhere == 0) return false;
  impl_->scheduler->distribute(impl_->collective, impl_->placement_view(), monitor());
  return true;
}

std::int64_t Runtime::finish_task_round(std::int64_t& pending_everywhere) {
  const Impl::Call call(*impl_);
  const auto execute = [this](const tasks::TaskRecord& task) {
    tasks::TaskResult result;
    result.id = task.id;
    result.kind = task.kind;
    result.ran_on = rank();
    try {
      const tasks::RegisteredKind* kind = impl_->task_kinds.find(task.kind);
      if (!kind) throw UnknownTaskKind(fmt::format("task kind '{}' is not registered on rank {}", task.kind, rank()));
      TaskContext context(*this, task, rank());
      {
        // The time is the written objects' cost: they stay at this rank until the rebalancer moves them, and
        // their next tasks follow them. A read-only task's time is this rank's alone.
        auto measured = monitor().measure_task(task.writes);
        // The task's body is the application's code: a progress thread may serve meanwhile.
        const runtime::GateSuspension user_code(impl_->gate);
        result.value = kind->function(context, task.args);
      }
      // Commit only now, and only once every staged write is known to land: the object is live at its owner
      // and holds the staged type. A task that threw, or one write that cannot land, leaves all unchanged.
      for (const auto& [id, value] : context.staged_) {
        const int owner = impl_->directory.owner_of(id);
        if (owner == rank()) {
          impl_->store.get(ObjectRef(id), value->type_tag());
        } else if (impl_->call_owner(owner, id, transport::Operation::info, 0).type_tag != value->type_tag()) {
          throw WrongType(id.value, fmt::format("task {} wrote object {} with another type than it holds",
                                                to_string(task.id), to_string(id)));
        }
      }
      for (const auto& [id, value] : context.staged_) write_value(id, value);
      if (task.read_only() && std::any_of(task.reads.begin(), task.reads.end(), [&](ObjectId id) {
            return impl_->directory.owner_of(id) != rank();
          }))
        ++impl_->read_only_on_copy;
    } catch (const std::exception& error) {
      result.failed = true;
      result.error = error.what();
      result.value.clear();
    }
    return result;
  };
  tasks::RoundOutcome outcome =
      impl_->scheduler->execute(impl_->collective, impl_->messenger, monitor(), impl_->task_kinds.digest(), execute);
  pending_everywhere = outcome.pending_everywhere;
  if (impl_->config.tasks.stop_on_error())
    mpi::run_agreed(impl_->collective, [&] {
      if (outcome.failed_here.empty()) return;
      const tasks::TaskResult& first = outcome.failed_here.front();
      throw TaskFailed(first.id.value, first.kind, first.ran_on, first.error);
    });
  return outcome.ran_everywhere;
}

std::int64_t Runtime::run_until_idle() {
  const Impl::Call call(*impl_);
  std::int64_t ran = 0, pending = 0;
  while (begin_task_round()) {
    ran += finish_task_round(pending);
    if (pending == 0) break;
  }
  return ran;
}

TaskStats Runtime::task_stats() const {
  const Impl::Call call(*impl_);
  TaskStats stats = impl_->scheduler->stats();
  stats.read_only_on_copy = impl_->read_only_on_copy;
  return stats;
}

// ---- TaskContext ----------------------------------------------------------------------------------------------

TaskId TaskContext::id() const noexcept { return task_.id; }
const std::string& TaskContext::kind() const noexcept { return task_.kind; }
int TaskContext::rank() const noexcept { return rank_; }

const detail::ValuePtr* TaskContext::staged_or_declared(ObjectId id) const {
  for (const auto& [staged_id, value] : staged_)
    if (staged_id == id) return &value;
  if (!task_.declares(id))
    throw TaskAccessError(fmt::format("task {} ({}) read object {}, which is in neither its read set nor its write set",
                                      to_string(task_.id), task_.kind, to_string(id)));
  return nullptr;
}

void TaskContext::stage_write(ObjectId id, detail::ValuePtr value) {
  if (!task_.writes_to(id))
    throw TaskAccessError(fmt::format("task {} ({}) wrote object {}, which is not in its write set",
                                      to_string(task_.id), task_.kind, to_string(id)));
  for (auto& [staged_id, staged] : staged_)
    if (staged_id == id) {
      staged = std::move(value);
      return;
    }
  staged_.emplace_back(id, std::move(value));
}

std::string to_string(TaskId id) { return fmt::format("{}:{}", id.submitter(), id.sequence()); }

}  // namespace penumbra
