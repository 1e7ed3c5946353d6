// Where metadata records live (shards, copies, slots) and how a home applies updates to its shard.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "metadata/layout.hpp"
#include "metadata/shard_table.hpp"
#include "metadata_test_support.hpp"
#include "penumbra/errors.hpp"
#include "placement/default_placement.hpp"

namespace penumbra::metadata {
namespace {

using testing_support::locations_at;

Options options_with(Mode mode, int replicas, std::size_t slots = 1024) {
  Options options;
  options.mode = mode;
  options.replicas = replicas;
  options.slots_per_shard = slots;
  return options;
}

// ---- layout ----

TEST(MetadataLayout, ShardedHomeIsTheDefaultPlacementHome) {
  for (int ranks : {1, 2, 3, 8}) {
    const Layout layout(options_with(Mode::sharded, 2), ranks);
    for (std::uint64_t id = 0; id < 500; ++id)
      EXPECT_EQ(layout.home_of(ObjectId{id}), placement::home_rank(ObjectId{id}, ranks));
  }
}

TEST(MetadataLayout, CentralizedHomeIsRankZero) {
  const Layout layout(options_with(Mode::centralized, 2), 8);
  for (std::uint64_t id = 0; id < 500; ++id) EXPECT_EQ(layout.home_of(ObjectId{id}), 0);
  EXPECT_TRUE(layout.is_home(0));
  EXPECT_FALSE(layout.is_home(1));
  EXPECT_THROW(layout.holder(1, 0), InvalidArgument);
}

TEST(MetadataLayout, ReplicasAreTheNextRanksAndClampToTheRankCount) {
  EXPECT_EQ(Layout(options_with(Mode::sharded, 2), 1).copies(), 1);
  EXPECT_EQ(Layout(options_with(Mode::sharded, 3), 2).copies(), 2);
  EXPECT_EQ(Layout(options_with(Mode::sharded, 3), 8).copies(), 3);
  const Layout layout(options_with(Mode::sharded, 3), 5);
  EXPECT_EQ(layout.holders(0), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(layout.holders(4), (std::vector<int>{4, 0, 1}));
  const Layout central(options_with(Mode::centralized, 3), 5);
  EXPECT_EQ(central.holders(0), (std::vector<int>{0, 1, 2}));
}

TEST(MetadataLayout, EveryCopyHasItsOwnRegionInsideItsHoldersWindow) {
  for (Mode mode : {Mode::sharded, Mode::centralized})
    for (int ranks : {1, 2, 3, 8})
      for (int replicas : {1, 2, 3}) {
        const Layout layout(options_with(mode, replicas, 64), ranks);
        // (holder, first byte) of every copy of every shard: distinct, and the region fits the window.
        std::set<std::pair<int, std::size_t>> regions;
        for (int home = 0; home < ranks; ++home) {
          if (!layout.is_home(home)) continue;
          for (int copy = 0; copy < layout.copies(); ++copy) {
            const int holder = layout.holder(home, copy);
            EXPECT_EQ(layout.home_held(holder, copy), home);
            const std::size_t first = layout.displacement(copy, 0);
            const std::size_t last = layout.displacement(copy, layout.region_records() - 1) + layout.record_bytes();
            EXPECT_EQ(last - first, layout.region_bytes());
            EXPECT_LE(last, layout.window_bytes(holder));
            EXPECT_TRUE(regions.emplace(holder, first).second) << "two copies share rank " << holder << "'s region";
          }
        }
        // Regions of one holder do not overlap: they start region_bytes apart.
        for (auto it = regions.begin(); it != regions.end(); ++it) {
          const auto next = std::next(it);
          if (next != regions.end() && next->first == it->first) {
            EXPECT_GE(next->second - it->second, layout.region_bytes());
          }
        }
        if (mode == Mode::centralized) {
          for (int rank = layout.copies(); rank < ranks; ++rank) EXPECT_EQ(layout.window_bytes(rank), 0U);
        }
      }
}

TEST(MetadataLayout, HomeSlotsOfOneShardSpreadOverTheWholeTable) {
  // The slot hash must not repeat the shard hash: the ids of one shard agree on mix64(id) mod P.
  constexpr std::size_t kSlots = 1024;
  const Layout layout(options_with(Mode::sharded, 2, kSlots), 8);
  std::set<std::size_t> used;
  std::size_t ids = 0;
  std::mt19937_64 random(7);
  while (ids < kSlots / 2) {
    const ObjectId id{random()};
    if (layout.home_of(id) != 3) continue;
    ++ids;
    const std::size_t slot = layout.home_slot(id);
    ASSERT_LT(slot, kSlots);
    used.insert(slot);
  }
  // 512 ids thrown uniformly into 1024 slots hit ~403 distinct ones; a slot hash correlated with the shard hash
  // would use at most 1024 / 8 = 128.
  EXPECT_GT(used.size(), 340U);
}

// ---- the consistency rule ----

Update upsert(std::uint64_t id, Version version, int owner, std::vector<Location> locations = {}) {
  return Update{Update::Kind::upsert, Entry{ObjectId{id}, version, owner, std::move(locations), version * 10}};
}
Update erase(std::uint64_t id, Version version) {
  return Update{Update::Kind::erase, Entry{ObjectId{id}, version, -1, {}, 0}};
}

TEST(MetadataRule, VersionsOnlyGrowAndEqualVersionsMayMoveTheOwner) {
  const Record live{Entry{ObjectId{1}, 5, 2, {}, 0}, false};
  EXPECT_TRUE(supersedes(upsert(1, 1, 0), nullptr));
  EXPECT_TRUE(supersedes(upsert(1, 6, 0), &live));
  EXPECT_TRUE(supersedes(upsert(1, 5, 3), &live));  // a migration: same version, new owner
  EXPECT_FALSE(supersedes(upsert(1, 4, 3), &live));
  EXPECT_TRUE(supersedes(erase(1, 5), &live));
  EXPECT_FALSE(supersedes(erase(1, 4), &live));
  const Record tombstone{Entry{ObjectId{1}, 5, 2, {}, 0}, true};
  EXPECT_FALSE(supersedes(upsert(1, 5, 3), &tombstone));  // nothing from the erased version revives it
  EXPECT_FALSE(supersedes(upsert(1, 4, 3), &tombstone));
  EXPECT_TRUE(supersedes(upsert(1, 6, 3), &tombstone));
  EXPECT_FALSE(supersedes(erase(1, 5), &tombstone));
  EXPECT_TRUE(supersedes(erase(1, 6), &tombstone));
  EXPECT_TRUE(supersedes(erase(1, 1), nullptr));
}

TEST(MetadataRule, ATombstoneKeepsTheLastOwner) {
  const Record live{Entry{ObjectId{1}, 5, 2, locations_at({1}), 64}, false};
  const Record after = record_after(erase(1, 5), &live);
  EXPECT_TRUE(after.erased);
  EXPECT_EQ(after.entry.version, 5U);
  EXPECT_EQ(after.entry.owner, 2);
  EXPECT_TRUE(after.entry.locations.empty());
  EXPECT_EQ(record_after(erase(1, 5), nullptr).entry.owner, 0);
}

// ---- the shard table ----

constexpr int kRanks = 4;

// Ids homed at `home` whose home slot is `slot` (found by search, so the test does not assume the hash).
std::vector<std::uint64_t> colliding_ids(const Layout& layout, int home, std::size_t slot, std::size_t count) {
  std::vector<std::uint64_t> ids;
  // Bounded: with independent hashes one id in ranks x slots qualifies; a slot hash tied to the shard hash may
  // let none qualify, which must fail the test rather than hang it.
  const std::uint64_t tries = 1000 * count * static_cast<std::uint64_t>(layout.ranks()) * layout.slots_per_shard();
  for (std::uint64_t id = 1; ids.size() < count && id < tries; ++id)
    if (layout.home_of(ObjectId{id}) == home && layout.home_slot(ObjectId{id}) == slot) ids.push_back(id);
  EXPECT_EQ(ids.size(), count) << "no " << count << " ids of shard " << home << " start at slot " << slot;
  ids.resize(count, 0);
  return ids;
}

std::optional<Record> find(const ShardTable& table, std::uint64_t id) {
  Record storage;
  const Record* record = table.find(ObjectId{id}, storage);
  return record ? std::optional<Record>(*record) : std::nullopt;
}

TEST(MetadataShardTable, FindsEverythingItHoldsAtHalfLoad) {
  const Layout layout(options_with(Mode::sharded, 2, 1024), kRanks);
  ShardTable table(layout, 1);
  std::vector<Update> updates;
  for (std::uint64_t id = 0; updates.size() < 512; ++id)
    if (layout.home_of(ObjectId{id}) == 1)
      updates.push_back(upsert(id, id % 7 + 1, static_cast<int>(id % kRanks), locations_at({0, 3})));
  const ShardTable::Outcome outcome = table.apply(updates);
  EXPECT_EQ(outcome.applied, updates.size());
  EXPECT_EQ(outcome.changed_slots.size(), updates.size());
  EXPECT_TRUE(std::is_sorted(outcome.changed_slots.begin(), outcome.changed_slots.end()));
  EXPECT_EQ(table.used(), updates.size());
  for (const Update& update : updates) {
    const auto record = find(table, update.entry.id.value);
    ASSERT_TRUE(record) << update.entry.id.value;
    EXPECT_EQ(record->entry, update.entry);
  }
  std::uint64_t absent = 1;
  while (layout.home_of(ObjectId{absent}) != 1 || find(table, absent)) ++absent;
  EXPECT_FALSE(find(table, absent));
}

TEST(MetadataShardTable, AppliesTheRuleInBatchOrder) {
  const Layout layout(options_with(Mode::sharded, 2, 64), kRanks);
  std::uint64_t id = 1;
  while (layout.home_of(ObjectId{id}) != 0) ++id;
  ShardTable table(layout, 0);
  const std::vector<Update> updates{upsert(id, 3, 1), upsert(id, 2, 2), upsert(id, 3, 3), upsert(id, 1, 0)};
  const ShardTable::Outcome outcome = table.apply(updates);
  EXPECT_EQ(outcome.applied, 2U);
  EXPECT_EQ(outcome.ignored, 2U);
  EXPECT_EQ(outcome.changed_slots.size(), 1U);  // the batch's final state is written once
  EXPECT_EQ(find(table, id)->entry.owner, 3);
  EXPECT_EQ(find(table, id)->entry.version, 3U);
}

TEST(MetadataShardTable, RewritesAdvanceTheSequenceAndNoOpsWriteNothing) {
  const Layout layout(options_with(Mode::sharded, 2, 64), kRanks);
  std::uint64_t id = 1;
  while (layout.home_of(ObjectId{id}) != 2) ++id;
  ShardTable table(layout, 2);
  const std::vector<Update> first{upsert(id, 1, 0)};
  const std::size_t slot = table.apply(first).changed_slots.at(0);
  EXPECT_EQ(record_sequence(table.record_bytes(slot)), 2U);
  const ShardTable::Outcome again = table.apply(first);
  EXPECT_EQ(again.applied, 1U);
  EXPECT_TRUE(again.changed_slots.empty());
  const std::vector<Update> second{upsert(id, 2, 0)};
  EXPECT_EQ(table.apply(second).changed_slots, std::vector<std::size_t>{slot});
  EXPECT_EQ(record_sequence(table.record_bytes(slot)), 4U);
}

TEST(MetadataShardTable, TombstonesKeepProbeChainsAndVersions) {
  const Layout layout(options_with(Mode::sharded, 2, 64), kRanks);
  const std::vector<std::uint64_t> ids = colliding_ids(layout, 1, 10, 3);
  ShardTable table(layout, 1);
  const std::vector<Update> insert{upsert(ids[0], 1, 0), upsert(ids[1], 1, 1), upsert(ids[2], 1, 2)};
  table.apply(insert);
  const std::vector<Update> remove{erase(ids[1], 1)};
  table.apply(remove);
  EXPECT_TRUE(find(table, ids[1])->erased);
  EXPECT_EQ(find(table, ids[2])->entry.owner, 2);  // found past the tombstone
  const std::vector<Update> stale{upsert(ids[1], 1, 3)};
  EXPECT_EQ(table.apply(stale).ignored, 1U);
  EXPECT_TRUE(find(table, ids[1])->erased);
  const std::vector<Update> revive{upsert(ids[1], 2, 3)};
  table.apply(revive);
  EXPECT_FALSE(find(table, ids[1])->erased);
  EXPECT_EQ(find(table, ids[1])->entry.owner, 3);
  EXPECT_EQ(table.used(), 3U);  // the tombstone's slot was reused by its own id
}

TEST(MetadataShardTable, AFullShardIsAConfigErrorAndTheBatchChangesNothing) {
  const Layout layout(options_with(Mode::sharded, 2, 16), kRanks);  // probe limit 16
  ASSERT_EQ(layout.probe_limit(), 16U);
  const std::vector<std::uint64_t> ids = colliding_ids(layout, 3, 5, 17);
  ShardTable table(layout, 3);
  std::vector<Update> fill;
  for (std::size_t i = 0; i < 16; ++i) fill.push_back(upsert(ids[i], 1, 0));
  table.apply(fill);
  EXPECT_EQ(table.used(), 16U);

  std::uint64_t other = 1;  // another id of the shard, with a free home slot before the full chain (5..20)
  while (layout.home_of(ObjectId{other}) != 3 || layout.home_slot(ObjectId{other}) >= 5) ++other;
  const std::vector<Update> batch{upsert(other, 1, 0), upsert(ids[16], 1, 0)};
  try {
    table.apply(batch);
    FAIL() << "a 17th id probing from one slot found room within 16 probes";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.key(), "metadata.slots_per_shard");
    EXPECT_EQ(error.value(), "16");
    EXPECT_NE(std::string(error.what()).find("16 probes"), std::string::npos) << error.what();
  }
  EXPECT_EQ(table.used(), 16U);
  EXPECT_FALSE(find(table, other));  // all or nothing
  // Updating the ids already there still works on a full chain.
  const std::vector<Update> update{upsert(ids[15], 2, 1)};
  EXPECT_EQ(table.apply(update).applied, 1U);
}

TEST(MetadataShardTable, RejectsUpdatesItMustNotStore) {
  const Layout layout(options_with(Mode::sharded, 2, 64), kRanks);
  std::uint64_t mine = 1, theirs = 1;
  while (layout.home_of(ObjectId{mine}) != 0) ++mine;
  while (layout.home_of(ObjectId{theirs}) == 0) ++theirs;
  ShardTable table(layout, 0);
  const auto rejects = [&](Update update) {
    const std::vector<Update> batch{upsert(mine, 1, 0), std::move(update)};
    EXPECT_THROW(table.apply(batch), InvalidArgument);
    EXPECT_FALSE(find(table, mine));
  };
  rejects(upsert(theirs, 1, 0));
  rejects(upsert(mine, 0, 0));
  rejects(upsert(mine, 1, kRanks));
  rejects(upsert(mine, 1, 0, locations_at({0, kRanks})));
  rejects(
      upsert(mine, 1, 0, std::vector<Location>(9, testing_support::location_at(1))));  // more than max_locations (8)
  EXPECT_THROW(ShardTable(Layout(options_with(Mode::centralized, 2), kRanks), 1), InvalidArgument);
}

}  // namespace
}  // namespace penumbra::metadata
