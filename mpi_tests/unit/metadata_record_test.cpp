// The on-window record of the metadata service: round trips, and every way a torn or damaged copy must fail.
#include <gtest/gtest.h>

#include <cstring>

#include "core/checksum.hpp"
#include "metadata/record.hpp"
#include "metadata_test_support.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::metadata {
namespace {

using testing_support::locations_at;

constexpr int kLocations = 8;

Record sample(std::uint64_t id = 0x1234, bool erased = false) {
  return Record{Entry{ObjectId{id}, 7, 3, locations_at({1, 4, 6}), 4096}, erased};
}

std::vector<std::byte> encoded(const Record& record, std::uint64_t sequence = 2, int max_locations = kLocations) {
  std::vector<std::byte> bytes(record_bytes(max_locations));
  encode_record(record, sequence, max_locations, bytes);
  return bytes;
}

// Rewrites the sequence word and recomputes the checksum, as a writer with that sequence would have.
void reseal(std::vector<std::byte>& bytes, std::uint64_t sequence) {
  std::memcpy(bytes.data() + kSequenceOffset, &sequence, sizeof sequence);
  const std::size_t at = checksum_offset(kLocations);
  const std::uint64_t sum = checksum64(std::span(bytes).first(at));
  std::memcpy(bytes.data() + at, &sum, sizeof sum);
}

TEST(MetadataRecord, SizeIsAMultipleOfEightAndGrowsWithLocations) {
  for (int locations : {0, 1, 7, 8, 9, 256}) {
    EXPECT_EQ(record_bytes(locations) % 8, 0U) << locations;
    EXPECT_EQ(record_bytes(locations), 48U + 24U * static_cast<unsigned>(locations)) << locations;
  }
  EXPECT_EQ(record_bytes(8), 240U);  // 8 locations: 40 B of fields + 8 x 24 B of slots + the checksum
}

TEST(MetadataRecord, RoundTripKeepsEveryField) {
  for (bool erased : {false, true}) {
    const Record record = sample(99, erased);
    const DecodedRecord decoded = decode_record(encoded(record, 42), kLocations);
    ASSERT_EQ(decoded.state, RecordState::valid);
    EXPECT_EQ(decoded.record, record);
    EXPECT_EQ(decoded.sequence, 42U);
  }
  // The extremes of the location list.
  Record none{Entry{ObjectId{1}, 1, 0, {}, 0}, false};
  EXPECT_EQ(decode_record(encoded(none, 2, 0), 0).record, none);
  Record full{Entry{ObjectId{~0ULL}, ~0ULL, 65535, {}, ~0ULL}, false};
  for (int i = 0; i < 256; ++i)
    full.entry.locations.push_back(
        Location{i, ~0ULL - static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i) << 40});
  const DecodedRecord decoded = decode_record(encoded(full, 2, 256), 256);
  ASSERT_EQ(decoded.state, RecordState::valid);
  EXPECT_EQ(decoded.record, full);
}

TEST(MetadataRecord, AllZeroIsAnEmptySlot) {
  const std::vector<std::byte> zero(record_bytes(kLocations));
  EXPECT_EQ(decode_record(zero, kLocations).state, RecordState::empty);
}

TEST(MetadataRecord, EveryFlippedByteFailsValidation) {
  const std::vector<std::byte> good = encoded(sample());
  for (std::size_t at = 0; at < good.size(); ++at)
    for (std::byte mask : {std::byte{0x01}, std::byte{0x80}, std::byte{0xff}}) {
      std::vector<std::byte> bad = good;
      bad[at] ^= mask;
      EXPECT_EQ(decode_record(bad, kLocations).state, RecordState::invalid) << "byte " << at;
      EXPECT_FALSE(validate_record(bad, ObjectId{0x1234}, kLocations));
    }
}

TEST(MetadataRecord, HalfWrittenRecordsFailValidation) {
  // A reader may see any mix of an old and a new record's bytes (an MPI_Get is neither atomic nor ordered).
  const std::vector<std::byte> before = encoded(sample(5), 2);
  Record changed = sample(5);
  changed.entry.owner = 4;
  changed.entry.version = 8;
  const std::vector<std::byte> after = encoded(changed, 4);
  for (std::size_t cut = 8; cut < before.size(); cut += 8) {
    std::vector<std::byte> torn = before;
    std::copy(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(cut), torn.begin());
    EXPECT_EQ(decode_record(torn, kLocations).state, RecordState::invalid) << "new up to byte " << cut;
    torn = after;
    std::copy(before.begin(), before.begin() + static_cast<std::ptrdiff_t>(cut), torn.begin());
    EXPECT_EQ(decode_record(torn, kLocations).state, RecordState::invalid) << "old up to byte " << cut;
  }
}

TEST(MetadataRecord, OddOrZeroSequenceFailsEvenWithAMatchingChecksum) {
  std::vector<std::byte> bytes = encoded(sample());
  reseal(bytes, 3);  // the home is writing it
  EXPECT_EQ(decode_record(bytes, kLocations).state, RecordState::invalid);
  reseal(bytes, 0);
  EXPECT_EQ(decode_record(bytes, kLocations).state, RecordState::invalid);
  reseal(bytes, 4);
  EXPECT_EQ(decode_record(bytes, kLocations).state, RecordState::valid);  // the helper itself is sound
}

TEST(MetadataRecord, ValidationChecksTheId) {
  const std::vector<std::byte> bytes = encoded(sample(77));
  EXPECT_TRUE(validate_record(bytes, ObjectId{77}, kLocations));
  EXPECT_FALSE(validate_record(bytes, ObjectId{78}, kLocations));
}

TEST(MetadataRecord, ARecordOfAnotherFormatIsNotTrusted) {
  // Written with room for 8 locations, read as if records held 0: the checksum sits elsewhere.
  Record record = sample();
  record.entry.locations.clear();
  const std::vector<std::byte> bytes = encoded(record, 2, 8);
  EXPECT_NE(decode_record(std::span(bytes).first(record_bytes(0)), 0).state, RecordState::valid);
}

TEST(MetadataRecord, EncodeRejectsWhatDoesNotFit) {
  std::vector<std::byte> bytes(record_bytes(2));
  Record record = sample();  // 3 locations
  EXPECT_THROW(encode_record(record, 2, 2, bytes), InvalidArgument);
  record.entry.locations.resize(2);
  EXPECT_THROW(encode_record(record, 3, 2, bytes), InvalidArgument);  // odd sequence
  EXPECT_THROW(encode_record(record, 0, 2, bytes), InvalidArgument);
  std::vector<std::byte> small(record_bytes(2) - 8);
  EXPECT_THROW(encode_record(record, 2, 2, small), InvalidArgument);
  EXPECT_NO_THROW(encode_record(record, 2, 2, bytes));
}

TEST(MetadataRecord, ScanFollowsTheProbeOrder) {
  const std::size_t size = record_bytes(kLocations);
  const auto run_of = [&](std::vector<std::vector<std::byte>> records) {
    std::vector<std::byte> run;
    for (auto& r : records) run.insert(run.end(), r.begin(), r.end());
    return run;
  };
  const std::vector<std::byte> empty(size);
  std::vector<std::byte> broken = encoded(sample(2));
  broken[20] ^= std::byte{1};

  ScanResult scan =
      scan_run(run_of({encoded(sample(1)), encoded(sample(2)), encoded(sample(3))}), ObjectId{3}, kLocations);
  EXPECT_EQ(scan.outcome, ScanResult::Outcome::found);
  EXPECT_EQ(scan.index, 2U);
  EXPECT_EQ(scan.record, sample(3));

  scan = scan_run(run_of({encoded(sample(1)), empty, encoded(sample(3))}), ObjectId{3}, kLocations);
  EXPECT_EQ(scan.outcome, ScanResult::Outcome::absent);
  EXPECT_EQ(scan.index, 1U);

  scan = scan_run(run_of({encoded(sample(1)), broken, encoded(sample(3))}), ObjectId{3}, kLocations);
  EXPECT_EQ(scan.outcome, ScanResult::Outcome::invalid);
  EXPECT_EQ(scan.index, 1U);

  scan = scan_run(run_of({encoded(sample(1)), encoded(sample(2))}), ObjectId{3}, kLocations);
  EXPECT_EQ(scan.outcome, ScanResult::Outcome::exhausted);

  // A tombstone of the id is found (and says erased): the chain does not go on past it.
  scan = scan_run(run_of({encoded(sample(3, true)), encoded(sample(3))}), ObjectId{3}, kLocations);
  EXPECT_EQ(scan.outcome, ScanResult::Outcome::found);
  EXPECT_TRUE(scan.record.erased);
}

}  // namespace
}  // namespace penumbra::metadata
