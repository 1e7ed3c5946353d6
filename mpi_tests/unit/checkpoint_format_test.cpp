// The checkpoint codec on its own (no files, no MPI): round trips, and every kind of damage a file can suffer
// is refused with a CheckpointError naming the file, never a crash or a silently wrong record.
#include <gtest/gtest.h>

#include <cstring>

#include "checkpoint/format.hpp"
#include "core/checksum.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::checkpoint {
namespace {

Bytes bytes_of(std::initializer_list<int> values) {
  Bytes bytes;
  for (int v : values) bytes.push_back(static_cast<std::byte>(v));
  return bytes;
}

std::vector<Record> sample_records() {
  return {
      Record{ObjectId::from_name("grid/0"), "grid/0", 3, 0xabcdef, false, bytes_of({1, 2, 3, 4})},
      Record{ObjectId{42}, "", 1, 0x1234, false, Bytes(1000, std::byte{7})},
      Record{ObjectId{43}, "", 9, 0, true, {}},      // a tombstone keeps its version
      Record{ObjectId{44}, "", 2, 0x99, false, {}},  // an empty value is a value
  };
}

Manifest manifest_for(std::uint64_t token, const std::vector<Bytes>& files,
                      const std::vector<std::vector<Record>>& records) {
  Manifest manifest;
  manifest.token = token;
  manifest.ranks = static_cast<std::int32_t>(files.size());
  manifest.steps = 17;
  manifest.configuration = "epoch_interval = 10\n";
  for (std::size_t r = 0; r < files.size(); ++r) {
    std::uint64_t live = 0;
    for (const Record& record : records[r]) live += record.erased ? 0 : 1;
    manifest.files.push_back({data_file_name(token, static_cast<int>(r)), static_cast<std::int32_t>(r),
                              records[r].size(), live, files[r].size(), checksum64(files[r])});
    manifest.objects += live;
    manifest.tombstones += records[r].size() - live;
  }
  return manifest;
}

// Expects a CheckpointError naming `file` whose problem contains `words`.
template <class F>
void expect_refused(F&& decode, const std::string& file, const std::string& words) {
  try {
    decode();
    ADD_FAILURE() << "accepted; expected an error containing '" << words << "'";
  } catch (const CheckpointError& error) {
    EXPECT_EQ(error.file(), file);
    EXPECT_NE(error.problem().find(words), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(file), std::string::npos) << error.what();
  }
}

TEST(CheckpointFormat, RecordsRoundTrip) {
  ByteWriter writer;
  for (const Record& record : sample_records()) append_record(writer, record);
  const Bytes bytes = writer.take();
  ByteReader reader(bytes, "test");
  for (const Record& record : sample_records()) EXPECT_EQ(read_record(reader, "f"), record);
  EXPECT_EQ(reader.remaining(), 0U);
}

TEST(CheckpointFormat, DataFileRoundTrip) {
  const auto records = sample_records();
  const Bytes bytes = encode_data_file(0x1122334455667788ULL, 3, records);
  const DataFile data = decode_data_file(bytes, "d");
  EXPECT_EQ(data.token, 0x1122334455667788ULL);
  EXPECT_EQ(data.rank, 3);
  EXPECT_EQ(data.records, records);
  EXPECT_TRUE(decode_data_file(encode_data_file(5, 0, {}), "d").records.empty());
}

TEST(CheckpointFormat, ManifestRoundTripAndValidatedFiles) {
  const std::uint64_t token = 77;
  std::vector<std::vector<Record>> records{sample_records(), {}, {sample_records()[1]}};
  records[2][0].id = ObjectId{4242};
  std::vector<Bytes> files;
  for (std::size_t r = 0; r < records.size(); ++r)
    files.push_back(encode_data_file(token, static_cast<int>(r), records[r]));
  const Manifest manifest = manifest_for(token, files, records);
  EXPECT_EQ(manifest.objects, 4U);
  EXPECT_EQ(manifest.tombstones, 1U);
  const Manifest back = decode_manifest(encode_manifest(manifest), "m");
  EXPECT_EQ(back, manifest);
  for (std::size_t r = 0; r < files.size(); ++r)
    EXPECT_EQ(validate_data_file(files[r], back, back.files[r], "f").records, records[r]);
}

TEST(CheckpointFormat, FileNames) {
  EXPECT_EQ(data_file_name(0xab, 7), "data-00000000000000ab-r00007.pck");
  EXPECT_TRUE(is_data_file_name(data_file_name(~0ULL, 123456)));
  EXPECT_FALSE(is_data_file_name("data-00000000000000ab-r00007.pck.tmp"));
  EXPECT_FALSE(is_data_file_name("data-zz000000000000ab-r00007.pck"));
  EXPECT_FALSE(is_data_file_name("notes.txt"));
  EXPECT_FALSE(is_data_file_name(std::string(kManifestName)));
}

TEST(CheckpointFormat, EveryTruncationAndEveryFlippedByteOfADataFileIsRefused) {
  const Bytes full = encode_data_file(9, 1, sample_records());
  for (std::size_t size = 0; size < full.size(); ++size)
    EXPECT_THROW(decode_data_file(std::span(full.data(), size), "d"), CheckpointError) << size;
  for (std::size_t at = 0; at < full.size(); ++at) {
    Bytes damaged = full;
    damaged[at] ^= std::byte{0x20};
    EXPECT_THROW(decode_data_file(damaged, "d"), CheckpointError) << at;
  }
  Bytes longer = full;
  longer.push_back(std::byte{0});
  EXPECT_THROW(decode_data_file(longer, "d"), CheckpointError);
}

TEST(CheckpointFormat, EveryTruncationAndEveryFlippedByteOfAManifestIsRefused) {
  const std::vector<std::vector<Record>> records{sample_records()};
  const std::vector<Bytes> files{encode_data_file(3, 0, records[0])};
  const Bytes full = encode_manifest(manifest_for(3, files, records));
  for (std::size_t size = 0; size < full.size(); ++size)
    EXPECT_THROW(decode_manifest(std::span(full.data(), size), "m"), CheckpointError) << size;
  for (std::size_t at = 0; at < full.size(); ++at) {
    Bytes damaged = full;
    damaged[at] ^= std::byte{0x01};
    EXPECT_THROW(decode_manifest(damaged, "m"), CheckpointError) << at;
  }
}

// Structural checks behind the checksum: input that was built wrong (a hostile or buggy writer), sealed with
// a valid checksum, is still refused.
TEST(CheckpointFormat, ManifestThatDoesNotAddUpIsRefused) {
  const std::vector<std::vector<Record>> records{sample_records(), {}};
  const std::vector<Bytes> files{encode_data_file(3, 0, records[0]), encode_data_file(3, 1, records[1])};
  const Manifest good = manifest_for(3, files, records);

  Manifest m = good;
  m.objects += 1;
  expect_refused([&] { decode_manifest(encode_manifest(m), "M"); }, "M", "add up");
  m = good;
  m.files.pop_back();
  expect_refused([&] { decode_manifest(encode_manifest(m), "M"); }, "M", "lists 1 data files for 2 ranks");
  m = good;
  std::swap(m.files[0], m.files[1]);
  expect_refused([&] { decode_manifest(encode_manifest(m), "M"); }, "M", "data file entry 0");
  m = good;
  m.files[1].name = "../../etc/passwd";  // a manifest cannot point outside its own files
  expect_refused([&] { decode_manifest(encode_manifest(m), "M"); }, "M", "data file entry 1");
  m = good;
  m.ranks = 0;
  m.files.clear();
  m.objects = m.tombstones = 0;
  expect_refused([&] { decode_manifest(encode_manifest(m), "M"); }, "M", "at least 1");
}

TEST(CheckpointFormat, DataFileThatDisagreesWithItsManifestIsRefused) {
  const std::vector<std::vector<Record>> records{sample_records()};
  const std::vector<Bytes> files{encode_data_file(3, 0, records[0])};
  const Manifest manifest = manifest_for(3, files, records);
  const FileEntry& entry = manifest.files[0];

  const Bytes truncated(files[0].begin(), files[0].end() - 1);
  expect_refused([&] { validate_data_file(truncated, manifest, entry, "F"); }, "F", "truncated");
  Bytes flipped = files[0];
  flipped[40] ^= std::byte{1};
  expect_refused([&] { validate_data_file(flipped, manifest, entry, "F"); }, "F", "checksum mismatch");
  // A valid file of another checkpoint (a different token) under the expected name.
  const Bytes other = encode_data_file(4, 0, records[0]);
  FileEntry other_entry = entry;
  other_entry.checksum = checksum64(other);
  expect_refused([&] { validate_data_file(other, manifest, other_entry, "F"); }, "F", "belongs to checkpoint");
  // A valid file of this checkpoint with a record less than the manifest counts.
  const std::vector<Record> fewer(records[0].begin(), records[0].end() - 1);
  const Bytes short_file = encode_data_file(3, 0, fewer);
  FileEntry short_entry = entry;
  short_entry.size = short_file.size();
  short_entry.checksum = checksum64(short_file);
  expect_refused([&] { validate_data_file(short_file, manifest, short_entry, "F"); }, "F", "holds 3 records");
}

TEST(CheckpointFormat, WrongMagicOrVersionIsNamed) {
  Bytes bytes = encode_data_file(1, 0, {});
  bytes[8] = std::byte{2};  // the format version follows the 8-byte magic
  // Reseal so that the checksum passes and the version check is what refuses it.
  bytes.resize(bytes.size() - 8);
  const std::uint64_t sum = checksum64(bytes);
  bytes.insert(bytes.end(), reinterpret_cast<const std::byte*>(&sum), reinterpret_cast<const std::byte*>(&sum) + 8);
  expect_refused([&] { decode_data_file(bytes, "D"); }, "D", "format version 2");
  Manifest one;
  one.token = 1;
  one.ranks = 1;
  one.files = {{data_file_name(1, 0), 0, 0, 0, 0, 0}};
  const Bytes manifest = encode_manifest(one);
  expect_refused([&] { decode_data_file(manifest, "D"); }, "D", "bad magic");
}

TEST(CheckpointFormat, RecordsThatBreakTheRulesAreRefused) {
  const auto check = [](Record record, const std::string& words) {
    ByteWriter writer;
    append_record(writer, record);
    const Bytes bytes = writer.take();
    ByteReader reader(bytes, "test");
    expect_refused([&] { read_record(reader, "R"); }, "R", words);
  };
  check(Record{ObjectId{1}, "", 0, 5, false, {}}, "version 0");
  check(Record{ObjectId{1}, "grid/0", 1, 5, false, {}}, "hashes to another id");
  check(Record{ObjectId{1}, "", 1, 5, true, {}}, "erased object with a value");
  check(Record{ObjectId{1}, "", 1, 0, false, {}}, "without a type tag");
}

TEST(CheckpointFormat, HugeCountsAreRefusedNotAllocated) {
  Bytes bytes = encode_data_file(1, 0, {});
  // The record count follows magic (8), version (4), rank (4), token (8).
  const std::uint64_t huge = ~std::uint64_t{0} / 2;
  std::memcpy(bytes.data() + 24, &huge, sizeof huge);
  bytes.resize(bytes.size() - 8);
  const std::uint64_t sum = checksum64(bytes);
  bytes.insert(bytes.end(), reinterpret_cast<const std::byte*>(&sum), reinterpret_cast<const std::byte*>(&sum) + 8);
  expect_refused([&] { decode_data_file(bytes, "D"); }, "D", "claims");
}

}  // namespace
}  // namespace penumbra::checkpoint
