// penumbra-prof's arithmetic on hand-made inputs: imbalance, the common projection replay judges plans by,
// replay's row for a strategy written here, and XML escaping in the SVG writer.
#include <gtest/gtest.h>

#include "replay.hpp"
#include "stats.hpp"
#include "svg.hpp"

namespace penumbra::prof {
namespace {

balance::EpochInput two_ranks() {
  balance::EpochInput input;
  input.ranks = {balance::RankState{.predicted_load = 3.0}, balance::RankState{.predicted_load = 1.0}};
  balance::ObjectState a;
  a.id = ObjectId{1};
  a.owner = 0;
  a.predicted_cost = 1.0;
  balance::ObjectState b = a;
  b.id = ObjectId{2};
  b.predicted_cost = 2.0;
  input.objects = {a, b};
  return input;
}

TEST(ProfStats, ImbalanceIsMaxOverMean) {
  EXPECT_DOUBLE_EQ(imbalance({3.0, 1.0}), 1.5);
  EXPECT_DOUBLE_EQ(imbalance({0.0, 0.0}), 1.0);
  EXPECT_DOUBLE_EQ(imbalance({}), 0.0);
}

TEST(ProfReplay, ProjectedLoadsMoveEachObjectsPredictedCost) {
  const auto input = two_ranks();
  // Object 1 (cost 1) from rank 0 to 1: 3 - 1 = 2 and 1 + 1 = 2.
  EXPECT_EQ(projected_loads(input, {{ObjectId{1}, 0, 1}}), (std::vector<double>{2.0, 2.0}));
  // An unknown object changes nothing.
  EXPECT_EQ(projected_loads(input, {{ObjectId{9}, 0, 1}}), (std::vector<double>{3.0, 1.0}));
}

// Moves object 2 to rank 1 whatever it is given.
class MoveTwo : public balance::Strategy {
 public:
  std::string_view name() const noexcept override { return "move-two"; }
  balance::Plan plan(const balance::EpochInput&) const override {
    balance::Plan plan;
    plan.moves = {{ObjectId{2}, 0, 1, 100}};
    return plan;
  }
};

// A two-rank trace of one epoch whose recorded plan made `recorded`.
trace::Trace one_epoch(std::int64_t epoch, balance::EpochInput input, std::vector<balance::PlannedMove> recorded) {
  trace::Trace trace;
  trace.header.ranks = 2;
  trace::EpochRecord record;
  record.epoch = epoch;
  record.input = std::move(input);
  record.plan.moves = std::move(recorded);
  trace.epochs = {std::move(record)};
  return trace;
}

TEST(ProfReplay, RowComparesTheRecordedPlanWithTheStrategys) {
  const auto rows = replay(one_epoch(4, two_ranks(), {{ObjectId{1}, 0, 1, 10}}), MoveTwo{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].epoch, 4);
  EXPECT_DOUBLE_EQ(rows[0].input_imbalance, 1.5);     // {3, 1}
  EXPECT_DOUBLE_EQ(rows[0].recorded_imbalance, 1.0);  // {2, 2}
  EXPECT_EQ(rows[0].recorded_bytes, 10u);
  EXPECT_EQ(rows[0].replayed_moves, 1u);
  EXPECT_EQ(rows[0].replayed_bytes, 100u);
  EXPECT_DOUBLE_EQ(rows[0].replayed_imbalance, 3.0 / 2.0);  // {1, 3}
  EXPECT_EQ(rows[0].same_moves, 0u);
  EXPECT_TRUE(rows[0].error.empty());
}

TEST(ProfReplay, TrueLoadsNeedEveryNextCost) {
  auto input = two_ranks();                         // objects 1 (predicted 1) and 2 (predicted 2), both on rank 0
  EXPECT_FALSE(true_loads(input, {}).has_value());  // next_cost -1: not declared
  EXPECT_FALSE(forecast_error(input).has_value());
  input.objects[0].next_cost = 1.5;
  EXPECT_FALSE(true_loads(input, {}).has_value());  // one of two is not enough
  input.objects[1].next_cost = 0.5;
  // Both on rank 0 before any move; moving object 1 puts its 1.5 on rank 1.
  EXPECT_EQ(true_loads(input, {}), (std::vector<double>{2.0, 0.0}));
  EXPECT_EQ(true_loads(input, {{ObjectId{1}, 0, 1}}), (std::vector<double>{0.5, 1.5}));
  // |1 - 1.5| + |2 - 0.5| = 2 over 2 of next cost.
  EXPECT_DOUBLE_EQ(*forecast_error(input), 1.0);
}

TEST(ProfReplay, RowJudgesBothPlansOnTheTrueNextCosts) {
  auto input = two_ranks();
  // The forecast said object 2 is the heavy one; what came next was object 1.
  input.objects[0].next_cost = 3.0;
  input.objects[1].next_cost = 1.0;
  const auto rows = replay(one_epoch(1, input, {{ObjectId{1}, 0, 1, 10}}), MoveTwo{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(*rows[0].true_input_imbalance, 2.0);          // {4, 0}
  EXPECT_DOUBLE_EQ(*rows[0].true_recorded_imbalance, 1.5);       // object 1 moved: {1, 3}
  EXPECT_DOUBLE_EQ(*rows[0].true_replayed_imbalance, 1.5);       // object 2 moved: {3, 1}
  EXPECT_DOUBLE_EQ(*rows[0].forecast_error, (2.0 + 1.0) / 4.0);  // |1 - 3| + |2 - 1| over 4
}

TEST(ProfSvg, EscapesMarkupInText) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  SvgDocument svg(10, 10);
  svg.text(1, 1, "run <1>");
  EXPECT_NE(svg.str().find(">run &lt;1&gt;</text>"), std::string::npos);
}

}  // namespace
}  // namespace penumbra::prof
