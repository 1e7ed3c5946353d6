#include "checkpoint/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "core/checksum.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::checkpoint {
namespace {

using Magic = std::array<char, 8>;
constexpr Magic kDataMagic{'P', 'N', 'B', 'C', 'K', 'D', 'A', 'T'};
constexpr Magic kManifestMagic{'P', 'N', 'B', 'C', 'K', 'M', 'A', 'N'};

// The trailing checksum covers every byte before it; checked first, so that nothing after is parsed from a
// file that was damaged (the structural checks below then only meet hostile input, never bit rot).
std::span<const std::byte> checked_body(std::span<const std::byte> bytes, const std::string& file, const char* what) {
  if (bytes.size() < sizeof(Magic) + sizeof(std::uint32_t) + sizeof(std::uint64_t))
    throw CheckpointError(
        file, fmt::format("truncated {}: {} bytes, too short for a header and a checksum", what, bytes.size()));
  const auto body = bytes.first(bytes.size() - sizeof(std::uint64_t));
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof stored);
  if (const std::uint64_t computed = checksum64(body); computed != stored)
    throw CheckpointError(file, fmt::format("{} checksum mismatch (stored {:#018x}, computed {:#018x} over {} bytes): "
                                            "damaged or truncated",
                                            what, stored, computed, body.size()));
  return body;
}

void check_header(ByteReader& reader, const Magic& magic, const std::string& file, const char* what) {
  const auto found = reader.get<Magic>();
  if (found != magic) throw CheckpointError(file, fmt::format("not a Penumbra checkpoint {} (bad magic)", what));
  if (const auto version = reader.get<std::uint32_t>(); version != kFormatVersion)
    throw CheckpointError(
        file, fmt::format("{} has format version {}; this build reads version {}", what, version, kFormatVersion));
}

// Runs a decoder and turns the byte reader's SerializationError (a length past the end, trailing bytes)
// into the checkpoint's own error naming the file.
template <class Decode>
auto decoding(const std::string& file, Decode&& decode) {
  try {
    return decode();
  } catch (const SerializationError& error) {
    throw CheckpointError(file, error.what());
  }
}

void put_magic(ByteWriter& writer, const Magic& magic) {
  writer.put(magic);
  writer.put<std::uint32_t>(kFormatVersion);
}

Bytes sealed(ByteWriter& writer) {
  Bytes bytes = writer.take();
  const std::uint64_t sum = checksum64(bytes);
  const auto* first = reinterpret_cast<const std::byte*>(&sum);
  bytes.insert(bytes.end(), first, first + sizeof sum);
  return bytes;
}

}  // namespace

void append_record(ByteWriter& writer, const Record& record) {
  ByteWriter fields;
  fields.put<std::uint64_t>(record.id.value);
  fields.put<std::uint64_t>(record.version);
  fields.put<std::uint64_t>(record.type_tag);
  fields.put<std::uint8_t>(record.erased ? 1 : 0);
  fields.put_text(record.name);
  fields.put_blob(record.value);
  const Bytes bytes = fields.take();
  writer.put_blob(bytes);
  writer.put<std::uint64_t>(checksum64(bytes));
}

Record read_record(ByteReader& reader, const std::string& file) {
  return decoding(file, [&] {
    const Bytes bytes = reader.get_blob();
    const auto stored = reader.get<std::uint64_t>();
    if (const std::uint64_t computed = checksum64(bytes); computed != stored)
      throw CheckpointError(file, fmt::format("record checksum mismatch (stored {:#018x}, computed {:#018x}, {} bytes)",
                                              stored, computed, bytes.size()));
    ByteReader fields(bytes, "checkpoint record");
    Record record;
    record.id = ObjectId{fields.get<std::uint64_t>()};
    record.version = fields.get<std::uint64_t>();
    record.type_tag = fields.get<std::uint64_t>();
    const auto erased = fields.get<std::uint8_t>();
    record.name = fields.get_text();
    record.value = fields.get_blob();
    fields.expect_end();
    const std::string id = to_string(record.id);
    if (erased > 1) throw CheckpointError(file, fmt::format("object {}: erased flag {} (expected 0 or 1)", id, erased));
    record.erased = erased == 1;
    if (record.version == 0) throw CheckpointError(file, fmt::format("object {}: version 0 (versions start at 1)", id));
    if (!record.name.empty() && ObjectId::from_name(record.name) != record.id)
      throw CheckpointError(file, fmt::format("object {}: its name '{}' hashes to another id", id, record.name));
    if (record.erased && (record.type_tag != 0 || !record.value.empty()))
      throw CheckpointError(file, fmt::format("object {}: an erased object with a value", id));
    if (!record.erased && record.type_tag == 0)
      throw CheckpointError(file, fmt::format("object {}: a live object without a type tag", id));
    return record;
  });
}

std::string data_file_name(std::uint64_t token, int rank) {
  return fmt::format("data-{:016x}-r{:05d}.pck", token, rank);
}

bool is_data_file_name(std::string_view name) {
  // data- + 16 hex + -r + >= 5 digits + .pck
  constexpr std::string_view prefix = "data-", suffix = ".pck";
  if (name.size() < prefix.size() + 16 + 2 + 5 + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
    return false;
  const std::string_view hex = name.substr(prefix.size(), 16);
  const std::string_view rest = name.substr(prefix.size() + 16, name.size() - prefix.size() - 16 - suffix.size());
  return std::ranges::all_of(hex, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }) &&
         rest.starts_with("-r") &&
         std::ranges::all_of(rest.substr(2), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

Bytes encode_data_file(std::uint64_t token, int rank, std::span<const Record> records) {
  ByteWriter writer;
  put_magic(writer, kDataMagic);
  writer.put<std::int32_t>(rank);
  writer.put<std::uint64_t>(token);
  writer.put<std::uint64_t>(records.size());
  for (const Record& record : records) append_record(writer, record);
  return sealed(writer);
}

DataFile decode_data_file(std::span<const std::byte> bytes, const std::string& file) {
  const auto body = checked_body(bytes, file, "data file");
  return decoding(file, [&] {
    ByteReader reader(body, "checkpoint data file");
    check_header(reader, kDataMagic, file, "data file");
    DataFile data;
    data.rank = reader.get<std::int32_t>();
    data.token = reader.get<std::uint64_t>();
    const auto count = reader.get<std::uint64_t>();
    // Each record takes at least its two length/checksum words: a count the bytes cannot hold is refused
    // before anything is reserved.
    if (count > reader.remaining() / (2 * sizeof(std::uint64_t)))
      throw CheckpointError(file, fmt::format("claims {} records in {} bytes", count, reader.remaining()));
    data.records.reserve(count);
    for (std::uint64_t k = 0; k < count; ++k) data.records.push_back(read_record(reader, file));
    reader.expect_end();
    return data;
  });
}

Bytes encode_manifest(const Manifest& manifest) {
  ByteWriter writer;
  put_magic(writer, kManifestMagic);
  writer.put<std::uint64_t>(manifest.token);
  writer.put<std::int32_t>(manifest.ranks);
  writer.put<std::uint64_t>(manifest.objects);
  writer.put<std::uint64_t>(manifest.tombstones);
  writer.put<std::int64_t>(manifest.steps);
  writer.put_text(manifest.configuration);
  writer.put<std::uint64_t>(manifest.files.size());
  for (const FileEntry& entry : manifest.files) {
    writer.put_text(entry.name);
    writer.put<std::int32_t>(entry.rank);
    writer.put<std::uint64_t>(entry.records);
    writer.put<std::uint64_t>(entry.live);
    writer.put<std::uint64_t>(entry.size);
    writer.put<std::uint64_t>(entry.checksum);
  }
  return sealed(writer);
}

Manifest decode_manifest(std::span<const std::byte> bytes, const std::string& file) {
  const auto body = checked_body(bytes, file, "manifest");
  Manifest manifest = decoding(file, [&] {
    ByteReader reader(body, "checkpoint manifest");
    check_header(reader, kManifestMagic, file, "manifest");
    Manifest m;
    m.token = reader.get<std::uint64_t>();
    m.ranks = reader.get<std::int32_t>();
    m.objects = reader.get<std::uint64_t>();
    m.tombstones = reader.get<std::uint64_t>();
    m.steps = reader.get<std::int64_t>();
    m.configuration = reader.get_text();
    const auto count = reader.get<std::uint64_t>();
    if (count > reader.remaining() / (sizeof(std::uint64_t) * 5 + sizeof(std::int32_t)))
      throw CheckpointError(file, fmt::format("claims {} data files in {} bytes", count, reader.remaining()));
    for (std::uint64_t k = 0; k < count; ++k) {
      FileEntry entry;
      entry.name = reader.get_text();
      entry.rank = reader.get<std::int32_t>();
      entry.records = reader.get<std::uint64_t>();
      entry.live = reader.get<std::uint64_t>();
      entry.size = reader.get<std::uint64_t>();
      entry.checksum = reader.get<std::uint64_t>();
      m.files.push_back(std::move(entry));
    }
    reader.expect_end();
    return m;
  });
  // Internal consistency: what a restore relies on to know it has read everything.
  if (manifest.ranks < 1)
    throw CheckpointError(file, fmt::format("written by {} ranks (expected at least 1)", manifest.ranks));
  if (manifest.files.size() != static_cast<std::size_t>(manifest.ranks))
    throw CheckpointError(file, fmt::format("lists {} data files for {} ranks", manifest.files.size(), manifest.ranks));
  std::uint64_t records = 0, live = 0;
  for (std::size_t r = 0; r < manifest.files.size(); ++r) {
    const FileEntry& entry = manifest.files[r];
    if (entry.rank != static_cast<std::int32_t>(r) || entry.name != data_file_name(manifest.token, entry.rank))
      throw CheckpointError(
          file, fmt::format("data file entry {} is '{}' of rank {} (expected '{}' of rank {})", r, entry.name,
                            entry.rank, data_file_name(manifest.token, static_cast<int>(r)), r));
    if (entry.live > entry.records)
      throw CheckpointError(
          file, fmt::format("data file {} has {} live objects in {} records", entry.name, entry.live, entry.records));
    records += entry.records;
    live += entry.live;
  }
  if (live != manifest.objects || records - live != manifest.tombstones)
    throw CheckpointError(file, fmt::format("totals {} objects and {} tombstones, but its files add up to {} and {}",
                                            manifest.objects, manifest.tombstones, live, records - live));
  return manifest;
}

DataFile validate_data_file(std::span<const std::byte> bytes, const Manifest& manifest, const FileEntry& entry,
                            const std::string& file) {
  if (bytes.size() != entry.size)
    throw CheckpointError(file, fmt::format("{} bytes, the manifest says {}: {}", bytes.size(), entry.size,
                                            bytes.size() < entry.size ? "truncated" : "grown since it was written"));
  if (const std::uint64_t computed = checksum64(bytes); computed != entry.checksum)
    throw CheckpointError(
        file, fmt::format("checksum mismatch (the manifest says {:#018x}, computed {:#018x}): damaged", entry.checksum,
                          computed));
  DataFile data = decode_data_file(bytes, file);
  if (data.token != manifest.token || data.rank != entry.rank)
    throw CheckpointError(file, fmt::format("belongs to checkpoint {:016x} rank {}, the manifest to {:016x} rank {}",
                                            data.token, data.rank, manifest.token, entry.rank));
  const auto live = static_cast<std::uint64_t>(
      std::ranges::count_if(data.records, [](const Record& record) { return !record.erased; }));
  if (data.records.size() != entry.records || live != entry.live)
    throw CheckpointError(file, fmt::format("holds {} records ({} live), the manifest says {} ({} live)",
                                            data.records.size(), live, entry.records, entry.live));
  return data;
}

}  // namespace penumbra::checkpoint
