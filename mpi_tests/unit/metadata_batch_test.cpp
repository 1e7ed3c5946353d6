// Metadata options and update batches: validation that names the key, and decoding that survives any bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "metadata/batch.hpp"
#include "metadata/options.hpp"
#include "metadata_test_support.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::metadata {
namespace {

using testing_support::locations_at;

std::string rejected_key(const Options& options) {
  try {
    options.validate();
  } catch (const ConfigError& error) {
    return error.key();
  }
  return "";
}

TEST(MetadataOptions, DefaultsAreValid) { EXPECT_NO_THROW(Options{}.validate()); }

TEST(MetadataOptions, EachBadValueNamesItsKey) {
  Options options;
  options.replicas = 0;
  EXPECT_EQ(rejected_key(options), "metadata.replicas");
  options = {};
  options.replicas = kMaxReplicas + 1;
  EXPECT_EQ(rejected_key(options), "metadata.replicas");
  for (std::size_t slots : {std::size_t{0}, std::size_t{8}, std::size_t{100}, kMaxSlotsPerShard * 2}) {
    options = {};
    options.slots_per_shard = slots;
    EXPECT_EQ(rejected_key(options), "metadata.slots_per_shard") << slots;
  }
  options = {};
  options.slots_per_shard = kMinSlotsPerShard;
  EXPECT_EQ(rejected_key(options), "");
  for (int locations : {-1, kMaxLocationsLimit + 1}) {
    options = {};
    options.max_locations = locations;
    EXPECT_EQ(rejected_key(options), "metadata.max_locations") << locations;
  }
  options = {};
  options.cache_entries = (std::size_t{1} << 30) + 1;
  EXPECT_EQ(rejected_key(options), "metadata.cache_entries");
  options = {};
  options.mode = static_cast<Mode>(7);
  EXPECT_EQ(rejected_key(options), "metadata.mode");
}

TEST(MetadataOptions, ModeTextRoundTrips) {
  for (Mode mode : {Mode::sharded, Mode::centralized}) EXPECT_EQ(parse_mode(to_string(mode)), mode);
  try {
    parse_mode("central");
    FAIL() << "accepted 'central'";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "metadata.mode");
    EXPECT_EQ(error.value(), "central");
  }
}

const BatchLimits kLimits{8, 8};

std::vector<Update> sample_updates() {
  return {
      Update{Update::Kind::upsert, Entry{ObjectId{1}, 3, 2, locations_at({0, 5, 7}), 100}},
      Update{Update::Kind::erase, Entry{ObjectId{2}, 9, -1, {}, 0}},
      Update{Update::Kind::upsert, Entry{ObjectId{~0ULL}, ~0ULL, 7, {}, ~0ULL}},
  };
}

TEST(MetadataBatch, RoundTrip) {
  const std::vector<Update> updates = sample_updates();
  EXPECT_EQ(decode_batch(encode_batch(updates), kLimits), updates);
  EXPECT_TRUE(decode_batch(encode_batch({}), kLimits).empty());
}

TEST(MetadataBatch, EveryTruncationAndTrailingByteIsRejected) {
  const Bytes full = encode_batch(sample_updates());
  for (std::size_t size = 0; size < full.size(); ++size)
    EXPECT_THROW(decode_batch(std::span(full.data(), size), kLimits), SerializationError) << size;
  Bytes longer = full;
  longer.push_back(std::byte{0});
  EXPECT_THROW(decode_batch(longer, kLimits), SerializationError);
}

TEST(MetadataBatch, HugeCountIsRejectedNotAllocated) {
  Bytes bytes = encode_batch(sample_updates());
  const std::uint64_t huge = ~std::uint64_t{0} / 2;
  std::memcpy(bytes.data() + 4, &huge, sizeof huge);  // the count follows the 4-byte magic
  EXPECT_THROW(decode_batch(bytes, kLimits), SerializationError);
}

TEST(MetadataBatch, OutOfRangeValuesAreRejected) {
  const auto rejects = [](const Update& update, BatchLimits limits) {
    const std::vector<Update> one{update};
    EXPECT_THROW(decode_batch(encode_batch(one), limits), SerializationError);
  };
  rejects(Update{Update::Kind::upsert, Entry{ObjectId{1}, 1, 8, {}, 0}}, kLimits);   // owner = ranks
  rejects(Update{Update::Kind::upsert, Entry{ObjectId{1}, 1, -2, {}, 0}}, kLimits);  // negative owner
  rejects(Update{Update::Kind::upsert, Entry{ObjectId{1}, 1, 0, locations_at({3, 8}), 0}},
          kLimits);  // location = ranks
  rejects(Update{Update::Kind::upsert, Entry{ObjectId{1}, 1, 0, locations_at({1, 2, 3}), 0}}, {8, 2});  // too many
  rejects(Update{Update::Kind::upsert, Entry{ObjectId{1}, 0, 0, {}, 0}}, kLimits);                      // version 0
  rejects(Update{Update::Kind::erase, Entry{ObjectId{1}, 1, 0, locations_at({4}), 0}},
          kLimits);                                                                         // erase with locations
  rejects(Update{static_cast<Update::Kind>(3), Entry{ObjectId{1}, 1, 0, {}, 0}}, kLimits);  // unknown kind
  Bytes bad_magic = encode_batch(sample_updates());
  bad_magic[0] ^= std::byte{1};
  EXPECT_THROW(decode_batch(bad_magic, kLimits), SerializationError);
}

TEST(MetadataBatch, RandomDamageIsRejectedOrDecodesWithinLimits) {
  const Bytes full = encode_batch(sample_updates());
  std::mt19937_64 random(12345);
  int rejected = 0;
  for (int trial = 0; trial < 5000; ++trial) {
    Bytes bytes = full;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int f = 0; f < flips; ++f) bytes[random() % bytes.size()] ^= static_cast<std::byte>(1 + random() % 255);
    try {
      for (const Update& update : decode_batch(bytes, kLimits)) {
        EXPECT_GE(update.entry.version, 1U);
        EXPECT_LE(update.entry.locations.size(), 8U);
        if (update.kind == Update::Kind::upsert) {
          EXPECT_GE(update.entry.owner, 0);
          EXPECT_LT(update.entry.owner, 8);
        }
        for (const Location& location : update.entry.locations) {
          EXPECT_GE(location.rank, 0);
          EXPECT_LT(location.rank, 8);
        }
      }
    } catch (const SerializationError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace penumbra::metadata
