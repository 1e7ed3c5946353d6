#pragma once
// The checkpoint format, pure: records, data files and the manifest as bytes, and every check a reader makes
// before it trusts them. No files and no MPI here (src/checkpoint/checkpoint.cpp does both), so the codec is
// unit-tested and fuzzable on its own. Layout and guarantees: docs/checkpoint.md.
//
// Every decoder throws CheckpointError naming the file it was given (`file` is only a label here) and what is
// wrong; a hostile or truncated input is an error, never an out-of-bounds read or a huge allocation (every
// length is checked against the bytes left before anything is allocated).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_io.hpp"
#include "penumbra/codec.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::checkpoint {

/// Bumped on any change of the layout; a reader refuses every other version (no silent misreading).
inline constexpr std::uint32_t kFormatVersion = 1;
/// The manifest's name in a checkpoint directory. It is renamed into place last: a directory without it
/// holds no complete checkpoint.
inline constexpr std::string_view kManifestName = "MANIFEST.penumbra";
/// Suffix of files being written; never read by a restore, removed by the next successful checkpoint.
inline constexpr std::string_view kTemporarySuffix = ".tmp";

/// One object as checkpointed: a live value (its encoded bytes, as migration sends them) or a tombstone
/// (erased: no value, kept so that a later create continues above its version).
struct Record {
  ObjectId id;
  std::string name;  ///< "" for objects created by id
  Version version = 0;
  std::uint64_t type_tag = 0;  ///< 0 for a tombstone
  bool erased = false;
  Bytes value;  ///< empty for a tombstone

  bool operator==(const Record&) const = default;
};

/// Appends one record, followed by a checksum over all its fields: id, version, name and value are bound
/// together, so a record whose value or header was damaged (on disk or in transfer) does not validate.
void append_record(ByteWriter& writer, const Record& record);
/// Reads and checks one record (checksum, a name that hashes to the id, a live value with a type, a
/// tombstone without one, a version >= 1). `file` names the source in errors.
Record read_record(ByteReader& reader, const std::string& file);

/// `data-<token as 16 hex digits>-r<rank, 5 digits>.pck`: one per writing rank, unique per checkpoint, so
/// writing a new checkpoint never touches the files the current manifest names.
std::string data_file_name(std::uint64_t token, int rank);
/// Whether `name` has the shape of a data file (any token and rank): what a checkpoint may clean up.
bool is_data_file_name(std::string_view name);

/// A data file: header {magic, format version, writer rank, token, record count}, the records, and a
/// checksum over everything before it.
Bytes encode_data_file(std::uint64_t token, int rank, std::span<const Record> records);
struct DataFile {
  std::uint64_t token = 0;
  int rank = 0;
  std::vector<Record> records;
};
DataFile decode_data_file(std::span<const std::byte> bytes, const std::string& file);

/// What the manifest says of one data file.
struct FileEntry {
  std::string name;  ///< relative to the checkpoint directory
  std::int32_t rank = 0;
  std::uint64_t records = 0;  ///< live objects and tombstones
  std::uint64_t live = 0;
  std::uint64_t size = 0;      ///< bytes of the whole file
  std::uint64_t checksum = 0;  ///< checksum64 of the whole file

  bool operator==(const FileEntry&) const = default;
};

struct Manifest {
  std::uint64_t token = 0;
  std::int32_t ranks = 0;        ///< of the writing job: one data file per rank
  std::uint64_t objects = 0;     ///< live, over all files
  std::uint64_t tombstones = 0;  ///< over all files
  std::int64_t steps = 0;        ///< Runtime::steps() of the writing job
  std::string configuration;     ///< the writing job's Config::to_string()
  std::vector<FileEntry> files;  ///< by rank

  bool operator==(const Manifest&) const = default;
};

/// Header {magic, format version}, the fields, the file entries, a checksum over everything before it.
Bytes encode_manifest(const Manifest& manifest);
/// Decodes and checks the manifest on its own: its checksum, then that it lists exactly one file per rank
/// 0..ranks-1 under the name data_file_name(token, rank), and that the files' counts add up to its totals.
Manifest decode_manifest(std::span<const std::byte> bytes, const std::string& file);

/// The whole check of one data file against its manifest entry, before anything of it is used: size and
/// checksum of the bytes as read, then its own header and records (token, rank, counts). `file` is its path.
DataFile validate_data_file(std::span<const std::byte> bytes, const Manifest& manifest, const FileEntry& entry,
                            const std::string& file);

}  // namespace penumbra::checkpoint
