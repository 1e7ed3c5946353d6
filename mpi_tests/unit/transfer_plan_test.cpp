#include "migration/transfer_plan.hpp"

#include <gtest/gtest.h>

#include "penumbra/errors.hpp"

namespace penumbra::migration {
namespace {

const auto owns_small_ids = [](ObjectId id) { return id.value < 100; };

TEST(TransferPlan, ChecksSortsAndDropsMovesToSelf) {
  const std::vector<Move> requested{{ObjectId{9}, 2}, {ObjectId{3}, 1}, {ObjectId{5}, 0}};
  const auto moves = checked_moves(requested, 0, 4, owns_small_ids);
  ASSERT_EQ(moves.size(), 2U);
  EXPECT_EQ(moves[0].id, ObjectId{3});
  EXPECT_EQ(moves[1].id, ObjectId{9});
}

TEST(TransferPlan, RejectsBadMoves) {
  EXPECT_THROW(checked_moves(std::vector<Move>{{ObjectId{1}, 4}}, 0, 4, owns_small_ids), InvalidArgument);
  EXPECT_THROW(checked_moves(std::vector<Move>{{ObjectId{1}, -1}}, 0, 4, owns_small_ids), InvalidArgument);
  EXPECT_THROW(checked_moves(std::vector<Move>{{ObjectId{1}, 1}, {ObjectId{1}, 2}}, 0, 4, owns_small_ids),
               InvalidArgument);
  EXPECT_THROW(checked_moves(std::vector<Move>{{ObjectId{500}, 1}}, 0, 4, owns_small_ids), UnknownObject);
}

TEST(TransferPlan, GlobalPlanRejectsAnObjectMovedByTwoRanks) {
  const std::vector<MoveRecord> twice{{.id = 7, .from = 0, .to = 1}, {.id = 7, .from = 2, .to = 3}};
  EXPECT_THROW(check_global_plan(twice, 4), MigrationError);
  const std::vector<MoveRecord> outside{{.id = 7, .from = 0, .to = 9}};
  EXPECT_THROW(check_global_plan(outside, 4), MigrationError);
}

// Records only a corrupted rank could send: refused before the receivers allocate from them.
TEST(TransferPlan, GlobalPlanRejectsCorruptedRecords) {
  EXPECT_NO_THROW(check_global_plan(std::vector<MoveRecord>{{.id = 7, .from = 0, .to = 1, .value_bytes = 1 << 20}}, 2));
  EXPECT_THROW(check_global_plan(std::vector<MoveRecord>{{.id = 7, .from = 1, .to = 1}}, 2), MigrationError);
  EXPECT_THROW(check_global_plan(std::vector<MoveRecord>{{.id = 7, .from = 0, .to = 1, .value_bytes = ~0ULL}}, 2),
               MigrationError);
  EXPECT_THROW(check_global_plan(std::vector<MoveRecord>{{.id = 7, .from = 0, .to = 1, .name_bytes = 1ULL << 41}}, 2),
               MigrationError);
}

TEST(TransferPlan, RevisionsMustMatchAStartedMove) {
  const std::vector<MoveRecord> started{{.id = 7, .from = 0, .to = 1, .version = 3, .value_bytes = 8},
                                        {.id = 9, .from = 1, .to = 0, .version = 1, .value_bytes = 8}};
  const auto revise = [&](MoveRecord record, Revision revision) {
    check_revisions(std::vector<RevisedRecord>{{record, revision}}, started, 2);
  };
  EXPECT_NO_THROW(revise({.id = 7, .from = 0, .to = 1, .version = 5, .value_bytes = 16}, Revision::rewritten));
  EXPECT_NO_THROW(revise(started[1], Revision::erased));
  EXPECT_THROW(revise({.id = 8, .from = 0, .to = 1, .version = 5}, Revision::rewritten), MigrationError);  // never started
  EXPECT_THROW(revise({.id = 7, .from = 0, .to = 0, .version = 5}, Revision::rewritten), MigrationError);  // other target
  EXPECT_THROW(revise({.id = 7, .from = 0, .to = 1, .version = 2}, Revision::rewritten), MigrationError);  // older
  EXPECT_THROW(revise(started[0], Revision::unchanged), MigrationError);  // only changes are sent
  EXPECT_THROW(revise({.id = 7, .from = 0, .to = 1, .version = 5, .value_bytes = ~0ULL}, Revision::rewritten),
               MigrationError);
  EXPECT_THROW(check_revisions(std::vector<RevisedRecord>{{started[0], Revision::erased}, {started[0], Revision::erased}},
                               started, 2),
               MigrationError);  // twice
  // A deferred move's value travels only at commit: it must be revised, with the same deferral.
  const std::vector<MoveRecord> deferred{{.id = 7, .from = 0, .to = 1, .version = 3, .value_bytes = 8, .deferred = 1}};
  EXPECT_THROW(check_revisions(std::vector<RevisedRecord>{}, deferred, 2), MigrationError);
  EXPECT_NO_THROW(check_revisions(std::vector<RevisedRecord>{{deferred[0], Revision::rewritten}}, deferred, 2));
  MoveRecord undeferred = deferred[0];
  undeferred.deferred = 0;
  EXPECT_THROW(check_revisions(std::vector<RevisedRecord>{{undeferred, Revision::rewritten}}, deferred, 2),
               MigrationError);
}

TEST(TransferPlan, ValuesOfObjectsWrittenInHalfTheStepsOrMoreWaitForTheLanding) {
  EXPECT_TRUE(defer_transfer(20, 10, 10));   // written every step
  EXPECT_TRUE(defer_transfer(15, 10, 10));   // every other step
  EXPECT_FALSE(defer_transfer(14, 10, 10));  // less often
  EXPECT_FALSE(defer_transfer(10, 10, 10));  // read-only
  EXPECT_FALSE(defer_transfer(12, 10, 0));   // no window to go by
  EXPECT_FALSE(defer_transfer(5, 10, 10));   // a version below the earlier one (a re-created object): no rate
}

TEST(TransferPlan, ExchangeListsWhatEachPeerSendsAndReceives) {
  const std::vector<MoveRecord> all{{.id = 1, .from = 0, .to = 1, .name_bytes = 2, .value_bytes = 10},
                                    {.id = 2, .from = 0, .to = 2, .value_bytes = 5},
                                    {.id = 3, .from = 1, .to = 0, .value_bytes = 7},
                                    {.id = 4, .from = 0, .to = 1, .value_bytes = 1}};
  const PeerExchange exchange = exchange_of(all, 0, 3);
  ASSERT_EQ(exchange.to_peer[1].size(), 2U);
  EXPECT_EQ(exchange.to_peer[1][0].id, 1U);
  EXPECT_EQ(exchange.to_peer[1][1].id, 4U);
  EXPECT_EQ(total_name_bytes(exchange.to_peer[1]), 2U);
  ASSERT_EQ(exchange.from_peer[1].size(), 1U);
  EXPECT_EQ(exchange.from_peer[1][0].id, 3U);
  EXPECT_TRUE(exchange.to_peer[0].empty());
  EXPECT_TRUE(exchange.from_peer[2].empty());
}

}  // namespace
}  // namespace penumbra::migration
