#include "migration/transfer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "core/checksum.hpp"
#include "migration/transfer_plan.hpp"
#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"
#include "mpi/point_to_point.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::migration {
namespace {

constexpr int kPayloadTag = 7;

struct Outgoing {
  MoveRecord record;
  std::string name;
  detail::ValuePtr value;  // shared with the store: its bytes are sent in place, without packing
};

struct Incoming {
  MoveRecord record;
  Bytes value;  // received in place, then owned by the installed object
};

// Checks the requested moves and encodes every moving object. Encoding runs user serialization code, which
// may throw: that happens here, before anything has left this rank.
std::vector<Outgoing> prepare(const mpi::Communicator& comm, const store::ObjectStore& store,
                              std::span<const Move> requested) {
  std::vector<Outgoing> outgoing;
  const auto owns = [&store](ObjectId id) { return store.owns_live(id); };
  for (const Move& move : checked_moves(requested, comm.rank(), comm.size(), owns)) {
    const store::StoredObject& object = store.get(move.id);
    const auto bytes = object.value->bytes();
    outgoing.push_back({MoveRecord{.id = move.id.value,
                                   .from = comm.rank(),
                                   .to = move.to,
                                   .version = object.version,
                                   .type_tag = object.type_tag(),
                                   .name_bytes = object.name.size(),
                                   .value_bytes = bytes.size(),
                                   .checksum = checksum64(bytes)},
                        object.name, object.value});
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

MigrationReport migrate(const mpi::Communicator& comm, store::ObjectStore& store, store::OwnerDirectory& directory,
                        std::span<const Move> requested, const FaultOptions& faults) {
  const auto started = std::chrono::steady_clock::now();
  const bool faulty = faults.injects_on(comm.rank());
  // Injected: this rank is late (the others wait for it in the first collective below).
  if (faulty && faults.slow_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(faults.slow_us));
  const int ranks = comm.size();
  std::vector<Outgoing> outgoing;
  mpi::run_agreed(comm, [&] { outgoing = prepare(comm, store, requested); });

  std::vector<MoveRecord> mine;
  for (const Outgoing& item : outgoing) mine.push_back(item.record);
  const std::vector<MoveRecord> all = mpi::allgatherv<MoveRecord>(comm, mine);
  check_global_plan(all, ranks);  // same data on every rank: every rank throws alike
  const PeerExchange exchange = exchange_of(all, comm.rank(), ranks);

  // Receives first, so that eager sends find them posted. Per peer and tag, MPI delivers messages in the
  // order they were sent, which is the order of the records on both sides.
  std::vector<Bytes> names_in(static_cast<std::size_t>(ranks)), names_out(static_cast<std::size_t>(ranks));
  std::vector<std::vector<Incoming>> incoming(static_cast<std::size_t>(ranks));
  std::vector<mpi::Request> transfers;
  const auto keep = [&transfers](std::vector<mpi::Request> requests) {
    for (auto& request : requests) transfers.push_back(std::move(request));
  };
  for (int peer = 0; peer < ranks; ++peer) {
    const auto p = static_cast<std::size_t>(peer);
    names_in[p].resize(total_name_bytes(exchange.from_peer[p]));
    keep(mpi::receive_chunked(comm, peer, kPayloadTag, names_in[p]));
    incoming[p].reserve(exchange.from_peer[p].size());
    for (const MoveRecord& record : exchange.from_peer[p]) {
      incoming[p].push_back({record, Bytes(record.value_bytes)});
      keep(mpi::receive_chunked(comm, peer, kPayloadTag, incoming[p].back().value));
    }
  }
  for (int peer = 0; peer < ranks; ++peer) {
    const auto p = static_cast<std::size_t>(peer);
    names_out[p] = pack_names(outgoing, peer);
    keep(mpi::send_chunked(comm, peer, kPayloadTag, names_out[p]));
    for (const Outgoing& item : outgoing)
      if (item.record.to == peer) keep(mpi::send_chunked(comm, peer, kPayloadTag, item.value->bytes()));
  }
  for (auto& request : transfers) request.wait();

  MigrationReport report;
  std::vector<ObjectId> installed;
  std::exception_ptr failure;
  try {
    bool corrupt_next = faulty && faults.corrupt_payload;
    for (int peer = 0; peer < ranks; ++peer) {
      const auto p = static_cast<std::size_t>(peer);
      std::size_t name_offset = 0;
      for (Incoming& item : incoming[p]) {
        std::string name(reinterpret_cast<const char*>(names_in[p].data() + name_offset), item.record.name_bytes);
        name_offset += item.record.name_bytes;
        report.bytes_received += item.record.value_bytes;
        const ObjectId id{item.record.id};
        if (faulty) inject_receive_faults(faults, item, report.bytes_received, corrupt_next, comm.rank());
        store.install(to_stored(std::move(item), std::move(name)));
        installed.push_back(id);
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
    for (ObjectId id : installed) store.extract(id);
    throw;
  }

  // Every receiver holds its objects: the sources let go, and every rank learns the new owners.
  for (const Outgoing& item : outgoing) {
    report.bytes_sent += item.record.value_bytes;
    store.extract(ObjectId{item.record.id});
  }
  for (const MoveRecord& record : all) {
    directory.record_owner(ObjectId{record.id}, record.to);
    report.bytes_moved_total += record.value_bytes;
  }
  report.objects_sent = outgoing.size();
  report.objects_received = installed.size();
  report.objects_moved_total = all.size();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace penumbra::migration
