#include "migration/transfer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <unordered_map>
#include <thread>

#include "core/checksum.hpp"
#include "migration/transfer_plan.hpp"
#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"
#include "mpi/point_to_point.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::migration {
namespace {

constexpr int kPayloadTag = 7;   // the started transfers
constexpr int kRevisionTag = 8;  // values written between start and finish

struct Outgoing {
  MoveRecord record;
  std::string name;
  detail::ValuePtr value;  // shared with the store: its bytes are sent in place, without packing
};

struct Incoming {
  MoveRecord record;
  Bytes value;  // received in place, then owned by the installed object
};

// The record and value of a live object moving from `from` to `to`, as it is now. Encoding runs user
// serialization code, which may throw: that happens here, before anything has left this rank.
Outgoing describe(const store::StoredObject& object, int from, int to) {
  const auto bytes = object.value->bytes();
  return {MoveRecord{.id = object.id.value,
                     .from = from,
                     .to = to,
                     .version = object.version,
                     .type_tag = object.type_tag(),
                     .name_bytes = object.name.size(),
                     .value_bytes = bytes.size(),
                     .checksum = checksum64(bytes)},
          object.name,
          // A resident value's bytes are its home slot's, which the owner may rewrite or free while the value
          // travels (overlapped moves): it travels from a copy.
          object.value->in_window() ? std::make_shared<const detail::EncodedValue>(
                                          object.type_tag(), Bytes(bytes.begin(), bytes.end()))
                                    : object.value};
}

// Checks the requested moves and describes every moving object; `defer` marks those whose values wait.
std::vector<Outgoing> prepare(const mpi::Communicator& comm, const store::ObjectStore& store,
                              std::span<const Move> requested, const std::function<bool(ObjectId)>& defer) {
  std::vector<Outgoing> outgoing;
  const auto owns = [&store](ObjectId id) { return store.owns_live(id); };
  for (const Move& move : checked_moves(requested, comm.rank(), comm.size(), owns)) {
    outgoing.push_back(describe(store.get(move.id), comm.rank(), move.to));
    if (defer && defer(move.id)) outgoing.back().record.deferred = 1;
  }
  return outgoing;
}

// Names are small: one packed buffer per peer. Values are large: each travels from and into its own buffer.
Bytes pack_names(std::span<const Outgoing> outgoing, int peer) {
  Bytes names;
  for (const Outgoing& item : outgoing) {
    if (item.record.to != peer) continue;
    const auto* first = reinterpret_cast<const std::byte*>(item.name.data());
    names.insert(names.end(), first, first + item.name.size());
  }
  return names;
}

// One exchange of names and payloads between every pair of ranks, posted at once. Receives first, so that
// eager sends find them posted. Per peer and tag, MPI delivers messages in the order they were sent, which is
// the order of the records on both sides. Names travel for `named` records (one packed buffer per peer),
// values for the records `carries` accepts; `outgoing` holds this rank's sent ones. `tag` keeps a landing's
// second exchange apart from the first. Members are destroyed in reverse: the requests (which wait) first.
struct Exchange {
  std::vector<Bytes> names_in, names_out;
  PeerExchange peers;                                    // who sends what to whom, in record order
  std::unordered_map<std::uint64_t, Incoming> incoming;  // by object id
  std::vector<mpi::Request> requests;

  Exchange(const mpi::Communicator& comm, std::span<const MoveRecord> all, std::span<const Outgoing> outgoing,
           bool named, const std::function<bool(const MoveRecord&)>& carries, int tag) {
    const int ranks = comm.size();
    peers = exchange_of(all, comm.rank(), ranks);
    names_in.resize(static_cast<std::size_t>(ranks));
    names_out.resize(static_cast<std::size_t>(ranks));
    const auto keep = [this](std::vector<mpi::Request> posted) {
      for (auto& request : posted) requests.push_back(std::move(request));
    };
    incoming.reserve(all.size());
    for (int peer = 0; peer < ranks; ++peer) {
      const auto p = static_cast<std::size_t>(peer);
      if (named) {
        names_in[p].resize(total_name_bytes(peers.from_peer[p]));
        keep(mpi::receive_chunked(comm, peer, tag, names_in[p]));
      }
      for (const MoveRecord& record : peers.from_peer[p]) {
        if (!carries(record)) continue;
        Incoming& item = incoming.emplace(record.id, Incoming{record, Bytes(record.value_bytes)}).first->second;
        keep(mpi::receive_chunked(comm, peer, tag, item.value));
      }
    }
    for (int peer = 0; peer < ranks; ++peer) {
      const auto p = static_cast<std::size_t>(peer);
      if (named) {
        names_out[p] = pack_names(outgoing, peer);
        keep(mpi::send_chunked(comm, peer, tag, names_out[p]));
      }
      for (const Outgoing& item : outgoing)
        if (item.record.to == peer && carries(item.record))
          keep(mpi::send_chunked(comm, peer, tag, item.value->bytes()));
    }
  }
  bool test() {
    return std::ranges::all_of(requests, [](mpi::Request& request) { return request.test(); });
  }
  void wait() {
    for (auto& request : requests) request.wait();
  }
};

// Verifies a received object and turns it into a store entry.
store::StoredObject to_stored(Incoming&& incoming, std::string name) {
  const MoveRecord& record = incoming.record;
  if (checksum64(incoming.value) != record.checksum)
    throw SerializationError(
        fmt::format("object {:#x} from rank {} failed its checksum ({} bytes): corrupted "
                    "in transfer",
                    record.id, record.from, record.value_bytes));
  return {ObjectId{record.id}, std::move(name),
          std::make_shared<const detail::EncodedValue>(record.type_tag, std::move(incoming.value)), record.version};
}

// The configured fault of the misbehaving rank, applied to an object it received (fault.*; off by default).
void inject_receive_faults(const FaultOptions& faults, Incoming& item, std::uint64_t bytes_so_far, bool& corrupt_next,
                           int rank) {
  if (faults.receive_budget_bytes > 0 && bytes_so_far > static_cast<std::uint64_t>(faults.receive_budget_bytes))
    throw MigrationError(
        fmt::format("rank {} refuses object {:#x}: receiving it makes {} bytes, over its memory budget "
                    "of {} bytes (injected by fault.receive_budget_bytes)",
                    rank, item.record.id, bytes_so_far, faults.receive_budget_bytes));
  if (corrupt_next && !item.value.empty()) {
    item.value[item.value.size() / 2] ^= std::byte{0x04};  // one bit, where a torn transfer could put it
    corrupt_next = false;
  }
}

}  // namespace

struct PendingMigration::State {
  const mpi::Communicator* comm = nullptr;
  FaultOptions faults;
  std::chrono::steady_clock::duration busy{};  // time this rank spent inside start and finish
  std::vector<Outgoing> outgoing;              // the values sent, kept alive until the transfers complete
  std::vector<MoveRecord> all;                 // every rank's records
  std::optional<Exchange> exchange;
  bool transfers_done = false;
};

PendingMigration::PendingMigration(std::unique_ptr<State> state) : state_(std::move(state)) {}
PendingMigration::PendingMigration(PendingMigration&&) noexcept = default;
PendingMigration& PendingMigration::operator=(PendingMigration&&) noexcept = default;
PendingMigration::~PendingMigration() = default;  // the exchange's requests wait for their transfers

PendingMigration PendingMigration::start(const mpi::Communicator& comm, const store::ObjectStore& store,
                                         std::span<const Move> requested, const FaultOptions& faults,
                                         const std::function<bool(ObjectId)>& defer) {
  const auto started = std::chrono::steady_clock::now();
  auto state = std::make_unique<State>();
  state->comm = &comm;
  state->faults = faults;
  // Injected: this rank is late (the others wait for it in the first collective below).
  if (faults.injects_on(comm.rank()) && faults.slow_us > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(faults.slow_us));
  mpi::run_agreed(comm, [&] { state->outgoing = prepare(comm, store, requested, defer); });
  std::vector<MoveRecord> mine;
  for (const Outgoing& item : state->outgoing) mine.push_back(item.record);
  state->all = mpi::allgatherv<MoveRecord>(comm, mine);
  check_global_plan(state->all, comm.size());  // same data on every rank: every rank throws alike
  state->exchange.emplace(comm, state->all, state->outgoing, true,
                          [](const MoveRecord& record) { return record.deferred == 0; }, kPayloadTag);
  state->busy = std::chrono::steady_clock::now() - started;
  return PendingMigration(std::move(state));
}

bool PendingMigration::progress() {
  if (!state_->transfers_done) state_->transfers_done = state_->exchange->test();
  return state_->transfers_done;
}

bool PendingMigration::empty() const noexcept { return state_->all.empty(); }

std::vector<ObjectId> PendingMigration::outgoing() const {
  std::vector<ObjectId> ids;
  for (const Outgoing& item : state_->outgoing) ids.push_back(ObjectId{item.record.id});
  return ids;
}

std::size_t PendingMigration::objects_total() const noexcept { return state_->all.size(); }

std::uint64_t PendingMigration::bytes_total() const noexcept {
  std::uint64_t bytes = 0;
  for (const MoveRecord& record : state_->all) bytes += record.value_bytes;
  return bytes;
}

Landing PendingMigration::finish(store::ObjectStore& store, store::OwnerDirectory& directory) {
  const auto started = std::chrono::steady_clock::now();
  const mpi::Communicator& comm = *state_->comm;
  const FaultOptions& faults = state_->faults;
  const bool faulty = faults.injects_on(comm.rank());
  state_->exchange->wait();

  // What changed since start: written objects travel again (deferred ones travel now, written or not), erased
  // ones stay. Usually nothing, and then this is one allgather of counts.
  std::vector<RevisedRecord> my_revisions;
  std::vector<Outgoing> resent;
  mpi::run_agreed(comm, [&] {
    for (const Outgoing& item : state_->outgoing) {
      const ObjectId id{item.record.id};
      if (!store.owns_live(id)) {
        my_revisions.push_back({item.record, Revision::erased});
      } else if (item.record.deferred != 0 || store.get(id).version != item.record.version) {
        resent.push_back(describe(store.get(id), item.record.from, item.record.to));
        resent.back().record.deferred = item.record.deferred;
        my_revisions.push_back({resent.back().record, Revision::rewritten});
      }
    }
  });
  const std::vector<RevisedRecord> revisions = mpi::allgatherv<RevisedRecord>(comm, my_revisions);
  check_revisions(revisions, state_->all, comm.size());
  std::unordered_map<std::uint64_t, Revision> revision_of;
  std::vector<MoveRecord> rewritten;
  for (const RevisedRecord& revised : revisions) {
    revision_of.emplace(revised.record.id, revised.revision);
    if (revised.revision == Revision::rewritten) rewritten.push_back(revised.record);
  }
  std::optional<Exchange> second;
  if (!rewritten.empty()) {
    second.emplace(comm, rewritten, resent, false, [](const MoveRecord&) { return true; }, kRevisionTag);
    second->wait();
  }
  const auto erased = [&revision_of](const MoveRecord& record) {
    const auto found = revision_of.find(record.id);
    return found != revision_of.end() && found->second == Revision::erased;
  };

  Landing landing;
  MigrationReport& report = landing.report;
  std::exception_ptr failure;
  try {
    bool corrupt_next = faulty && faults.corrupt_payload;
    const PeerExchange& peers = state_->exchange->peers;  // the first exchange's: every started move
    for (int peer = 0; peer < comm.size(); ++peer) {
      const auto p = static_cast<std::size_t>(peer);
      std::size_t name_offset = 0;
      for (const MoveRecord& record : peers.from_peer[p]) {
        const Bytes& names = state_->exchange->names_in[p];
        std::string name(reinterpret_cast<const char*>(names.data() + name_offset), record.name_bytes);
        name_offset += record.name_bytes;
        if (erased(record)) continue;
        // The value it lands with: the second exchange's when it travelled then.
        Incoming& item = revision_of.contains(record.id) ? second->incoming.at(record.id)
                                                         : state_->exchange->incoming.at(record.id);
        report.bytes_received += item.record.value_bytes;
        if (faulty) inject_receive_faults(faults, item, report.bytes_received, corrupt_next, comm.rank());
        store.install(to_stored(std::move(item), std::move(name)));
        landing.received.push_back(ObjectId{record.id});
      }
    }
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    mpi::agree_on_failure(comm, failure);
  } catch (...) {
    // Some rank could not install what it received: every receiver drops what it installed, and the
    // sources, which have not let go of anything yet, keep serving as owners. Nothing moved.
    for (ObjectId id : landing.received) store.extract(id);
    throw;
  }

  // Every receiver holds its objects: the sources let go, and every rank learns the new owners.
  for (const Outgoing& item : state_->outgoing) {
    if (erased(item.record)) continue;
    const ObjectId id{item.record.id};
    report.bytes_sent += store.get(id).size_bytes();
    store.extract(id);
    landing.sent.push_back(id);
  }
  // Bytes that travelled: early values (even those sent again) and every value of the second exchange.
  for (const MoveRecord& record : state_->all) {
    if (record.deferred == 0) report.bytes_moved_total += record.value_bytes;
    if (erased(record)) continue;
    directory.record_owner(ObjectId{record.id}, record.to);
    ++report.objects_moved_total;
  }
  for (const MoveRecord& record : rewritten) {
    report.bytes_moved_total += record.value_bytes;
    if (record.deferred == 0) ++report.objects_resent_total;
  }
  report.objects_sent = landing.sent.size();
  report.objects_received = landing.received.size();
  state_->busy += std::chrono::steady_clock::now() - started;
  report.seconds = std::chrono::duration<double>(state_->busy).count();
  return landing;
}

MigrationReport migrate(const mpi::Communicator& comm, store::ObjectStore& store, store::OwnerDirectory& directory,
                        std::span<const Move> requested, const FaultOptions& faults) {
  PendingMigration pending = PendingMigration::start(comm, store, requested, faults);
  return pending.finish(store, directory).report;
}

}  // namespace penumbra::migration
