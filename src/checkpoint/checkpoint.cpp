#include "checkpoint/checkpoint.hpp"
#include "mpi/agreement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "checkpoint/files.hpp"
#include "checkpoint/format.hpp"
#include "core/checksum.hpp"
#include "mpi/check.hpp"
#include "mpi/collectives.hpp"
#include "mpi/point_to_point.hpp"
#include "penumbra/errors.hpp"
#include "placement/default_placement.hpp"

namespace penumbra::checkpoint {
namespace {

constexpr int kRecordTag = 11;

// Collective. Like mpi::agree_on_failure, but every rank throws the same CheckpointError (the lowest
// failing rank's file and problem): a caller catches one type whichever rank found the damage. Any other
// failure (a user type that cannot be encoded, an MPI error) becomes a CheckpointError with its message.
void agree(const mpi::Communicator& comm, std::exception_ptr failure) {
  const std::vector<int> failed = mpi::allgather(comm, failure ? 1 : 0);
  const auto first = std::ranges::find(failed, 1);
  if (first == failed.end()) return;
  const int root = static_cast<int>(first - failed.begin());
  std::string file, problem;
  if (comm.rank() == root) {
    try {
      std::rethrow_exception(failure);
    } catch (const CheckpointError& error) {
      file = error.file();
      problem = error.problem();
    } catch (const std::exception& error) {
      problem = error.what();
    } catch (...) {
      problem = "unknown exception";
    }
  }
  ByteWriter writer;
  writer.put_text(file);
  writer.put_text(problem);
  Bytes message = comm.rank() == root ? writer.take() : Bytes{};
  auto length = static_cast<std::uint64_t>(message.size());
  mpi::check(MPI_Bcast(&length, 1, MPI_UINT64_T, root, comm.get()), "MPI_Bcast");
  message.resize(length);
  mpi::check(MPI_Bcast(message.data(), static_cast<int>(length), MPI_BYTE, root, comm.get()), "MPI_Bcast");
  ByteReader reader(message, "checkpoint failure");
  file = reader.get_text();
  problem = reader.get_text();
  throw CheckpointError(file, fmt::format("{} (found by rank {})", problem, root));
}

// Every checkpoint step agrees with `agree`: the same CheckpointError on every rank.
template <class Body>
void agreed_step(const mpi::Communicator& comm, Body&& body) {
  mpi::run_agreed(comm, std::forward<Body>(body), agree);
}

// Rank 0 draws it and every rank uses it in its file name: a new checkpoint never overwrites the files of
// the one its directory's manifest names now.
std::uint64_t new_token(const mpi::Communicator& comm) {
  std::uint64_t token = 0;
  if (comm.rank() == 0) {
    std::random_device device;
    const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    token = mix64((static_cast<std::uint64_t>(device()) << 32 | device()) ^ now);
  }
  mpi::check(MPI_Bcast(&token, 1, MPI_UINT64_T, 0, comm.get()), "MPI_Bcast");
  return token;
}

Record record_of(const store::StoredObject& object) {
  Record record;
  record.id = object.id;
  record.name = object.name;
  record.version = object.version;
  record.erased = object.erased();
  if (!object.erased()) {
    const auto bytes = object.value->bytes();  // user serialization runs here and may throw
    record.type_tag = object.type_tag();
    record.value.assign(bytes.begin(), bytes.end());
  }
  return record;
}

// The fixed-size part of a manifest file entry, gathered from every rank (the name follows from the rank).
struct WrittenFile {
  std::uint64_t records = 0;
  std::uint64_t live = 0;
  std::uint64_t size = 0;
  std::uint64_t checksum = 0;
};

// Files of earlier checkpoints in this directory, and temporaries left by interrupted ones: garbage once a
// new manifest is in place.
// Best effort: the new checkpoint is complete whatever happens here, so a directory that cannot be listed
// (the range-for's increment throws on an I/O error) leaves the garbage in place rather than failing.
void remove_stale_files(const std::filesystem::path& directory, const Manifest& manifest) noexcept {
  try {
    for (const auto& item : std::filesystem::directory_iterator(directory)) {
      std::string name = item.path().filename().string();
      const bool temporary = name.ends_with(kTemporarySuffix);
      if (temporary) name.resize(name.size() - kTemporarySuffix.size());
      if (!is_data_file_name(name) && name != kManifestName) continue;
      const bool current =
          !temporary && (name == kManifestName ||
                         std::ranges::any_of(manifest.files, [&](const FileEntry& f) { return f.name == name; }));
      if (!current) remove_quietly(item.path());
    }
  } catch (...) {
  }
}

// Injected (fault.slow_us): this rank enters the collective late; the others wait for it.
void arrive_late_if_injected(const FaultOptions& faults, int rank) {
  if (faults.injects_on(rank) && faults.slow_us > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(faults.slow_us));
}

}  // namespace

CheckpointReport write(const mpi::Communicator& comm, const store::ObjectStore& store,
                       const std::filesystem::path& directory, const std::string& configuration, std::int64_t steps,
                       const FaultOptions& faults) {
  const auto started = std::chrono::steady_clock::now();
  arrive_late_if_injected(faults, comm.rank());
  const std::uint64_t token = new_token(comm);
  const std::filesystem::path my_file = directory / data_file_name(token, comm.rank());
  WrittenFile mine;
  // Each rank's own data file. Encoding runs user serialization: a type that throws fails the checkpoint on
  // every rank, before any manifest exists.
  const auto discard_mine = [&] { remove_quietly(my_file); };
  try {
    agreed_step(comm, [&] {
      ensure_directory(directory);
      std::vector<Record> records;
      for (const store::StoredObject* object : store.entries()) {
        try {
          records.push_back(record_of(*object));
        } catch (const std::exception& error) {
          throw CheckpointError(my_file.string(),
                                fmt::format("object {} cannot be encoded: {}", to_string(object->id), error.what()));
        }
        if (!object->erased()) ++mine.live;
      }
      const Bytes bytes = encode_data_file(token, comm.rank(), records);
      write_file_atomically(my_file, bytes);
      sync_directory(directory);
      mine = {records.size(), mine.live, bytes.size(), checksum64(bytes)};
    });
  } catch (...) {
    discard_mine();  // the others' files are theirs to remove; nobody names any of them
    throw;
  }

  const std::vector<WrittenFile> written = mpi::allgather(comm, mine);
  Manifest manifest;
  manifest.token = token;
  manifest.ranks = comm.size();
  manifest.steps = steps;
  manifest.configuration = configuration;
  CheckpointReport report{.manifest = (directory / kManifestName).string(), .token = token, .ranks = comm.size()};
  for (int r = 0; r < comm.size(); ++r) {
    const WrittenFile& file = written[static_cast<std::size_t>(r)];
    manifest.files.push_back({data_file_name(token, r), r, file.records, file.live, file.size, file.checksum});
    manifest.objects += file.live;
    manifest.tombstones += file.records - file.live;
    report.bytes += file.size;
  }
  // The commit point: the manifest appears by one rename, only after every data file is durable. The rename
  // is the last thing write_file_atomically does, so a failure in this block means nothing was committed and
  // every rank may discard its file.
  std::uint64_t manifest_bytes = 0;
  try {
    agreed_step(comm, [&] {
      if (comm.rank() != 0) return;
      const Bytes bytes = encode_manifest(manifest);
      write_file_atomically(directory / kManifestName, bytes);
      manifest_bytes = bytes.size();
    });
  } catch (...) {
    discard_mine();
    throw;
  }
  // Committed. The previous checkpoint's files go only once the rename itself is durable: were it lost in a
  // crash, the previous manifest would be back and must still find its files.
  if (comm.rank() == 0) {
    bool durable = true;
    try {
      sync_directory(directory);
    } catch (const CheckpointError&) {
      durable = false;
    }
    if (durable) remove_stale_files(directory, manifest);
  }
  mpi::check(MPI_Bcast(&manifest_bytes, 1, MPI_UINT64_T, 0, comm.get()), "MPI_Bcast");
  report.objects = manifest.objects;
  report.tombstones = manifest.tombstones;
  report.bytes += manifest_bytes;
  report.local_objects = mine.live;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

Restored read(const mpi::Communicator& comm, const std::filesystem::path& directory, const FaultOptions& faults) {
  const auto started = std::chrono::steady_clock::now();
  arrive_late_if_injected(faults, comm.rank());
  const int ranks = comm.size();
  const std::string manifest_path = (directory / kManifestName).string();

  // 1. The manifest: read once (rank 0), decoded and checked by every rank.
  Bytes manifest_bytes;
  agreed_step(comm, [&] {
    if (comm.rank() != 0) return;
    manifest_bytes = read_file(manifest_path);
    if (manifest_bytes.empty()) throw CheckpointError(manifest_path, "empty");
  });
  // A manifest is a few hundred bytes per writing rank: one MPI_Bcast (an int count) holds it.
  auto length = static_cast<std::uint64_t>(manifest_bytes.size());
  mpi::check(MPI_Bcast(&length, 1, MPI_UINT64_T, 0, comm.get()), "MPI_Bcast");
  if (length > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw CheckpointError(manifest_path, fmt::format("{} bytes, too large for a manifest", length));
  manifest_bytes.resize(length);
  mpi::check(MPI_Bcast(manifest_bytes.data(), static_cast<int>(length), MPI_BYTE, 0, comm.get()), "MPI_Bcast");
  Manifest manifest;
  agreed_step(comm, [&] { manifest = decode_manifest(manifest_bytes, manifest_path); });

  // 2. Data files, shared round-robin among this job's ranks, each checked whole against the manifest.
  std::vector<Record> read_here;
  agreed_step(comm, [&] {
    for (std::size_t f = static_cast<std::size_t>(comm.rank()); f < manifest.files.size();
         f += static_cast<std::size_t>(ranks)) {
      const FileEntry& entry = manifest.files[f];
      const std::string path = (directory / entry.name).string();
      DataFile data = validate_data_file(read_file(path), manifest, entry, path);
      for (Record& record : data.records) read_here.push_back(std::move(record));
    }
  });

  // 3. Every record to its home rank in this job (default placement: the directory needs no entry).
  std::vector<ByteWriter> outgoing(static_cast<std::size_t>(ranks));
  for (const Record& record : read_here)
    append_record(outgoing[static_cast<std::size_t>(placement::home_rank(record.id, ranks))], record);
  read_here.clear();
  std::vector<Bytes> out(static_cast<std::size_t>(ranks));
  std::vector<std::vector<std::uint64_t>> out_sizes(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) {
    out[static_cast<std::size_t>(r)] = outgoing[static_cast<std::size_t>(r)].take();
    out_sizes[static_cast<std::size_t>(r)] = {out[static_cast<std::size_t>(r)].size()};
  }
  const std::vector<std::vector<std::uint64_t>> in_sizes = mpi::alltoallv(comm, out_sizes);
  std::vector<Bytes> in(static_cast<std::size_t>(ranks));
  std::vector<mpi::Request> transfers;
  for (int r = 0; r < ranks; ++r) {
    const auto p = static_cast<std::size_t>(r);
    in[p].resize(in_sizes[p].empty() ? 0 : in_sizes[p][0]);
    for (auto& request : mpi::receive_chunked(comm, r, kRecordTag, in[p])) transfers.push_back(std::move(request));
  }
  for (int r = 0; r < ranks; ++r)
    for (auto& request : mpi::send_chunked(comm, r, kRecordTag, out[static_cast<std::size_t>(r)]))
      transfers.push_back(std::move(request));
  for (auto& request : transfers) request.wait();
  out.clear();
  // Injected (fault.corrupt_payload): one bit of the records from the first rank that sent any, as a damaged
  // transfer would; the record checksums below must catch it.
  if (faults.injects_on(comm.rank()) && faults.corrupt_payload)
    for (Bytes& bytes : in)
      if (!bytes.empty()) {
        bytes[bytes.size() / 2] ^= std::byte{0x04};
        break;
      }

  // 4. Each receiver checks every record it got and stages it in a store of its own; only a store that
  // passed every check on every rank is handed to the caller.
  Restored restored;
  std::uint64_t live = 0, records = 0;
  std::unordered_set<ObjectId> seen;
  agreed_step(comm, [&] {
    for (int source = 0; source < ranks; ++source) {
      const std::string origin = fmt::format("(records sent by rank {})", source);
      ByteReader reader(in[static_cast<std::size_t>(source)], "checkpoint records");
      while (reader.remaining() > 0) {
        Record record = read_record(reader, origin);
        if (placement::home_rank(record.id, ranks) != comm.rank())
          throw CheckpointError(
              origin, fmt::format("object {} reached rank {}, not its home rank {}", to_string(record.id), comm.rank(),
                                  placement::home_rank(record.id, ranks)));
        if (!seen.insert(record.id).second)
          throw CheckpointError("", fmt::format("object {} appears twice in the checkpoint", to_string(record.id)));
        store::StoredObject object{record.id, std::move(record.name), nullptr, record.version};
        if (!record.erased) {
          object.value = std::make_shared<const detail::EncodedValue>(record.type_tag, std::move(record.value));
          ++live;
        }
        restored.store.install(std::move(object));
        ++records;
      }
    }
  });
  const auto total_live = static_cast<std::uint64_t>(mpi::allreduce_sum(comm, static_cast<std::int64_t>(live)));
  const auto total_records = static_cast<std::uint64_t>(mpi::allreduce_sum(comm, static_cast<std::int64_t>(records)));
  // Same numbers on every rank, so every rank throws alike without another agreement.
  if (total_live != manifest.objects || total_records - total_live != manifest.tombstones)
    throw CheckpointError(manifest_path,
                          fmt::format("restored {} objects and {} tombstones, the manifest lists {} "
                                      "and {}",
                                      total_live, total_records - total_live, manifest.objects, manifest.tombstones));
  restored.report = RestoreReport{.token = manifest.token,
                                  .checkpoint_ranks = manifest.ranks,
                                  .objects = manifest.objects,
                                  .tombstones = manifest.tombstones,
                                  .local_objects = live,
                                  .configuration = manifest.configuration};
  restored.steps = manifest.steps;
  restored.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return restored;
}

}  // namespace penumbra::checkpoint
