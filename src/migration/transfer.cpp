#include "migration/transfer.hpp"

#include <chrono>
#include <cstring>
#include <fmt/format.h>

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
  const store::StoredObject* object;
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
                        &object});
  }
  return outgoing;
}

Bytes pack(std::span<const Outgoing> outgoing, int peer) {
  Bytes buffer;
  for (const Outgoing& item : outgoing) {
    if (item.record.to != peer) continue;
    const auto* name = reinterpret_cast<const std::byte*>(item.object->name.data());
    buffer.insert(buffer.end(), name, name + item.object->name.size());
    const auto bytes = item.object->value->bytes();
    buffer.insert(buffer.end(), bytes.begin(), bytes.end());
  }
  return buffer;
}

// Turns a received buffer back into objects, verifying each payload's checksum.
std::vector<store::StoredObject> unpack(std::span<const MoveRecord> records, std::span<const std::byte> buffer) {
  std::vector<store::StoredObject> objects;
  std::size_t offset = 0;
  for (const MoveRecord& record : records) {
    std::string name(reinterpret_cast<const char*>(buffer.data() + offset), record.name_bytes);
    offset += record.name_bytes;
    const auto bytes = buffer.subspan(offset, record.value_bytes);
    offset += record.value_bytes;
    if (checksum64(bytes) != record.checksum)
      throw SerializationError(fmt::format("object {:#x} from rank {} failed its checksum ({} bytes): corrupted "
                                           "in transfer",
                                           record.id, record.from, record.value_bytes));
    objects.push_back({ObjectId{record.id}, std::move(name),
                       std::make_shared<const detail::EncodedValue>(record.type_tag, Bytes(bytes.begin(), bytes.end())),
                       record.version});
  }
  return objects;
}

}  // namespace

MigrationReport migrate(const mpi::Communicator& comm, store::ObjectStore& store, store::OwnerDirectory& directory,
                        std::span<const Move> requested) {
  const auto started = std::chrono::steady_clock::now();
  const int ranks = comm.size();
  std::vector<Outgoing> outgoing;
  mpi::run_agreed(comm, [&] { outgoing = prepare(comm, store, requested); });

  std::vector<MoveRecord> mine;
  for (const Outgoing& item : outgoing) mine.push_back(item.record);
  const std::vector<MoveRecord> all = mpi::allgatherv<MoveRecord>(comm, mine);
  check_global_plan(all, ranks);  // same data on every rank: every rank throws alike
  const PeerExchange exchange = exchange_of(all, comm.rank(), ranks);

  std::vector<Bytes> inboxes(static_cast<std::size_t>(ranks));
  std::vector<Bytes> outboxes(static_cast<std::size_t>(ranks));
  std::vector<mpi::Request> transfers;
  for (int peer = 0; peer < ranks; ++peer) {
    const auto p = static_cast<std::size_t>(peer);
    inboxes[p].resize(payload_size(exchange.from_peer[p]));
    for (auto& request : mpi::receive_chunked(comm, peer, kPayloadTag, inboxes[p])) transfers.push_back(std::move(request));
    outboxes[p] = pack(outgoing, peer);
    for (auto& request : mpi::send_chunked(comm, peer, kPayloadTag, outboxes[p])) transfers.push_back(std::move(request));
  }
  for (auto& request : transfers) request.wait();

  MigrationReport report;
  std::vector<ObjectId> installed;
  std::exception_ptr failure;
  try {
    for (int peer = 0; peer < ranks; ++peer) {
      const auto p = static_cast<std::size_t>(peer);
      for (store::StoredObject& object : unpack(exchange.from_peer[p], inboxes[p])) {
        report.bytes_received += object.size_bytes();
        const ObjectId id = object.id;
        store.install(std::move(object));
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
