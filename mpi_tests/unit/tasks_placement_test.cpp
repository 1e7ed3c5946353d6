// Task placement and stealing decisions (pure), and the task wire format, on hand-made inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/byte_io.hpp"
#include "penumbra/errors.hpp"
#include "tasks/placement.hpp"
#include "tasks/record.hpp"

namespace penumbra::tasks {
namespace {

const ObjectId a{11}, b{12}, c{13};

// Owners: a at 0, b at 1, c at 2. Copies: a at 2 and 3, b at 3.
struct Fixture {
  std::map<ObjectId, int> owners{{a, 0}, {b, 1}, {c, 2}};
  HolderTable holders{{a, {2, 3}}, {b, {3}}};
  std::vector<double> loads = {0.0, 0.0, 0.0, 0.0};
  PlacementView view() const {
    return {.ranks = 4,
            .owner_of = [this](ObjectId id) { return owners.at(id); },
            .holders = &holders,
            .predicted_load = loads};
  }
};

TEST(TaskPlacement, WritingTaskRunsAtTheOwnerOfItsFirstWriteWhateverTheLoads) {
  Fixture f;
  f.loads = {0.0, 9.0, 0.0, 0.0};
  std::vector<double> placed;
  const std::vector<ObjectId> writes = {b, a}, reads = {a, c};
  EXPECT_EQ(place_task({reads, writes, 1.0, 3}, f.view(), placed), 1);
  EXPECT_DOUBLE_EQ(placed[1], 1.0);
}

TEST(TaskPlacement, ReadOnlyTaskGoesWhereMostReadsAreHeld) {
  Fixture f;
  std::vector<double> placed;
  const std::vector<ObjectId> reads = {a, b};
  // Rank 3 holds copies of both; 0 and 1 own one each, 2 holds one.
  EXPECT_EQ(place_task({reads, {}, 0.0, 0}, f.view(), placed), 3);
}

TEST(TaskPlacement, TiesGoToTheLeastLoadedThenTheSubmitterThenTheLowestRank) {
  Fixture f;
  const std::vector<ObjectId> reads = {a};  // held at 0 (owner), 2 and 3
  std::vector<double> placed;
  f.loads = {3.0, 0.0, 2.0, 1.0};
  EXPECT_EQ(place_task({reads, {}, 0.0, 1}, f.view(), placed), 3) << "least predicted load";
  f.loads = {1.0, 0.0, 1.0, 1.0};
  placed.clear();
  EXPECT_EQ(place_task({reads, {}, 0.0, 2}, f.view(), placed), 2) << "submitter among the equals";
  placed.clear();
  EXPECT_EQ(place_task({reads, {}, 0.0, 1}, f.view(), placed), 0) << "lowest rank among the equals";
}

TEST(TaskPlacement, ABatchOfEqualTasksSpreadsOverEquallyGoodRanks) {
  Fixture f;
  const std::vector<ObjectId> reads = {a};
  std::vector<double> placed;
  std::map<int, int> count;
  for (int k = 0; k < 9; ++k) ++count[place_task({reads, {}, 0.5, 1}, f.view(), placed)];
  EXPECT_EQ(count, (std::map<int, int>{{0, 3}, {2, 3}, {3, 3}}));
}

TEST(TaskPlacement, ATaskWithoutObjectsStaysWithItsSubmitter) {
  Fixture f;
  std::vector<double> placed;
  EXPECT_EQ(place_task({{}, {}, 0.0, 2}, f.view(), placed), 2);
}

TEST(TaskStealing, OnlyReadOnlyTasksWhoseReadsTheThiefHolds) {
  Fixture f;
  const std::vector<ObjectId> ab = {a, b}, ac = {a, c}, none = {};
  EXPECT_TRUE(stealable_by({ab, {}, 0.0, 0}, 3, f.view()));
  EXPECT_FALSE(stealable_by({ab, {}, 0.0, 0}, 2, f.view())) << "rank 2 holds a but not b";
  EXPECT_TRUE(stealable_by({ac, {}, 0.0, 0}, 2, f.view())) << "a copy and an owned object";
  EXPECT_FALSE(stealable_by({ab, ab, 0.0, 0}, 3, f.view())) << "a writing task never moves";
  EXPECT_TRUE(stealable_by({none, {}, 0.0, 0}, 1, f.view()));
  EXPECT_FALSE(stealable_by({none, ab, 0.0, 0}, 1, f.view()));
}

TEST(TaskStealing, VictimsInOrderOfStealableWork) {
  const std::vector<QueueState> queues = {{5.0, 1.0}, {9.0, 0.0}, {3.0, 3.0}, {2.0, 1.0}};
  EXPECT_EQ(victims_for(0, queues), (std::vector<int>{2, 3}));
  EXPECT_EQ(victims_for(2, queues), (std::vector<int>{0, 3}));
  EXPECT_EQ(victims_for(1, std::vector<QueueState>(3)), std::vector<int>{});
}

TaskRecord sample_task() {
  return TaskRecord{.id = TaskId::make(3, 17),
                    .kind = "relax",
                    .reads = {a, b},
                    .writes = {c},
                    .cost_hint_s = 0.002,
                    .args = Bytes{std::byte{1}, std::byte{2}, std::byte{3}}};
}

TEST(TaskRecordCodec, BatchesTasksAndResultsRoundTrip) {
  TaskRecord bare;
  bare.id = TaskId::make(0, 1);
  bare.kind = "x";
  const TaskBatch batch{{sample_task(), bare}, {{a, 4}, {c, 1}}};
  const TaskBatch back = decode_task_batch(encode(batch));
  ASSERT_EQ(back.tasks.size(), 2U);
  EXPECT_EQ(back.tasks[0].id, TaskId::make(3, 17));
  EXPECT_EQ(back.tasks[0].id.submitter(), 3);
  EXPECT_EQ(back.tasks[0].id.sequence(), 17U);
  EXPECT_EQ(back.tasks[0].kind, "relax");
  EXPECT_EQ(back.tasks[0].reads, (std::vector<ObjectId>{a, b}));
  EXPECT_EQ(back.tasks[0].writes, std::vector<ObjectId>{c});
  EXPECT_DOUBLE_EQ(back.tasks[0].cost_hint_s, 0.002);
  EXPECT_EQ(back.tasks[0].args, sample_task().args);
  EXPECT_EQ(back.readers, batch.readers);

  const TaskRecord single = decode_task(encode(sample_task()));
  EXPECT_EQ(single.kind, "relax");

  const std::vector<TaskResult> results = {
      TaskResult{TaskId::make(1, 2), "relax", 3, true, "boom", {}},
      TaskResult{TaskId::make(1, 3), "relax", 0, false, "", Bytes{std::byte{9}}}};
  const std::vector<TaskResult> decoded = decode_results(encode(std::span<const TaskResult>(results)));
  ASSERT_EQ(decoded.size(), 2U);
  EXPECT_TRUE(decoded[0].failed);
  EXPECT_EQ(decoded[0].error, "boom");
  EXPECT_EQ(decoded[0].ran_on, 3);
  EXPECT_EQ(decoded[1].value, Bytes{std::byte{9}});
}

TEST(TaskRecordCodec, DamagedMessagesAreSerializationErrors) {
  const Bytes good = encode(sample_task());
  for (std::size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_THROW(decode_task(std::span(good).first(cut)), SerializationError) << "cut at " << cut;
  Bytes trailing = good;
  trailing.push_back(std::byte{0});
  EXPECT_THROW(decode_task(trailing), SerializationError);

  // A hostile count must be refused before anything is allocated for it.
  ByteWriter hostile;
  hostile.put<std::uint32_t>(0x5054424b);
  hostile.put<std::uint64_t>(std::numeric_limits<std::uint64_t>::max() / 8);
  EXPECT_THROW(decode_task_batch(hostile.take()), SerializationError);

  TaskRecord bad_cost = sample_task();
  bad_cost.cost_hint_s = std::nan("");
  EXPECT_THROW(decode_task(encode(bad_cost)), SerializationError);
}

}  // namespace
}  // namespace penumbra::tasks
