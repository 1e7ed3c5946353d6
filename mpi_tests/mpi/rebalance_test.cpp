// Rebalance epochs through the Runtime: what every epoch must keep (one owner per object, nothing lost or
// duplicated, contents and versions conserved) under random loads, that epochs happen when they should
// (period, threshold, manual), that an overloaded rank sheds work, and that writes racing an epoch land.
// Loads are injected with LoadMonitor::record_task (synthetic seconds), so nothing sleeps.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

#include "penumbra/penumbra.hpp"
#include "penumbra/trace.hpp"

namespace penumbra {
namespace {

struct Cell {  // trivially copyable
  std::int64_t value;
  std::int64_t padding[31];  // 256 bytes: moves have a size
};

std::uint64_t sum_over_ranks(std::uint64_t value) {
  std::uint64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

std::string cell_name(int k) { return "rebalance/cell/" + std::to_string(k); }

// Count, value sum and version sum of every object, over all ranks: conserved by any epoch.
struct Census {
  std::uint64_t count = 0;
  std::uint64_t value_sum = 0;
  std::uint64_t version_sum = 0;
  bool operator==(const Census&) const = default;
};

Census census(Runtime& rt) {
  Census local;
  for (ObjectId id : rt.local_objects()) {
    const auto cell = rt.read<Cell>(id);
    ++local.count;
    local.value_sum += static_cast<std::uint64_t>(cell.value.value);
    local.version_sum += cell.version;
  }
  return {sum_over_ranks(local.count), sum_over_ranks(local.value_sum), sum_over_ranks(local.version_sum)};
}

// The threshold defaults to its maximum, so that only the tests about it see threshold epochs.
Config config_for(const std::string& strategy, std::int64_t epoch_every, double threshold = 100.0) {
  Config config = Config::load();  // PENUMBRA_VIRTUAL_NODES (the virtual-node variant) comes from here
  config.balance.strategy = strategy;
  config.balance.epoch_every = epoch_every;
  config.balance.threshold = threshold;
  config.balance.horizon = 1;
  config.check_invariants = true;  // every shadow epoch checks ownership and versions as well
  config.monitor.counters = "timers";
  config.monitor.print_notice = false;
  return config;
}

// Creates `count` cells (value k) from rank 0 and returns their ids.
std::vector<ObjectId> create_cells(Runtime& rt, int count) {
  std::vector<ObjectId> ids;
  for (int k = 0; k < count; ++k) {
    ids.push_back(ObjectRef(cell_name(k)).id());
    if (rt.rank() == 0) rt.create(cell_name(k), Cell{k, {}});
  }
  rt.barrier();
  return ids;
}

// Deals the objects round-robin over the ranks, so equal costs per object mean equal loads per rank.
void spread_evenly(Runtime& rt, const std::vector<ObjectId>& ids) {
  std::vector<Move> moves;
  for (std::size_t k = 0; k < ids.size(); ++k)
    if (rt.owner_of(ids[k]) == rt.rank())
      moves.push_back({ids[k], static_cast<int>(k % static_cast<std::size_t>(rt.size()))});
  rt.migrate(moves);
}

// Charges each owned object `cost(id)` seconds of work this step.
template <class Cost>
void charge(Runtime& rt, Cost&& cost) {
  for (ObjectId id : rt.local_objects()) {
    const double seconds = cost(id);
    if (seconds > 0.0) rt.monitor().record_task(std::span(&id, 1), seconds, seconds);
  }
}

class RebalanceStrategies : public testing::TestWithParam<std::string> {};

TEST_P(RebalanceStrategies, EpochsUnderRandomLoadsConserveEveryObject) {
  Runtime rt(MPI_COMM_WORLD, config_for(GetParam(), 3));
  const std::vector<ObjectId> ids = create_cells(rt, 24 * rt.size());
  const Census before = census(rt);
  ASSERT_EQ(before.count, ids.size());
  std::mt19937_64 random(42);  // same seed everywhere: every rank draws the same costs for the same ids
  std::unordered_map<ObjectId, double> cost;
  for (int step = 1; step <= 12; ++step) {
    for (ObjectId id : ids)
      cost[id] = std::uniform_real_distribution<double>(0.0, 1e-3)(random) *
                 (std::bernoulli_distribution(0.1)(random) ? 20.0 : 1.0);
    charge(rt, [&](ObjectId id) { return cost.at(id); });
    rt.step();
    EXPECT_EQ(census(rt), before) << "after step " << step;
    rt.check_invariants();
  }
  EXPECT_EQ(rt.epoch_reports().size(), 4u);  // steps 3, 6, 9, 12
  for (const balance::EpochReport& report : rt.epoch_reports()) {
    EXPECT_EQ(report.trigger, "periodic");
    EXPECT_EQ(report.strategy, GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(All, RebalanceStrategies, testing::Values("static", "greedy", "refine", "predictive"));

TEST(Rebalance, OverloadedRankShedsWorkAndImbalanceFalls) {
  // Threshold 0.2 for refine's planning; the threshold trigger cannot fire within one step of the start (an
  // epoch needs two steps of history), so the manual call below is the first epoch.
  Runtime rt(MPI_COMM_WORLD, config_for("refine", 0, 0.2));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  spread_evenly(rt, create_cells(rt, 16 * rt.size()));
  // Every rank owns 16 objects; rank 0's are 4x heavier.
  charge(rt, [&](ObjectId) { return rt.rank() == 0 ? 4e-3 : 1e-3; });
  rt.step();
  ASSERT_TRUE(rt.epoch_reports().empty());
  const std::size_t owned_before = rt.local_objects().size();
  const balance::EpochReport report = rt.rebalance();
  EXPECT_EQ(report.trigger, "manual");
  EXPECT_GT(report.objects_moved, 0u);
  EXPECT_GT(report.measured_imbalance, 1.5);
  EXPECT_LT(report.projected_imbalance, report.predicted_imbalance);
  if (rt.rank() == 0) {
    EXPECT_LT(rt.local_objects().size(), owned_before) << "the overloaded rank must give objects away";
  }
  rt.check_invariants();
}

TEST(Rebalance, ThresholdTriggersAnEpochOnlyWhenARankIsPredictedOverloaded) {
  Runtime rt(MPI_COMM_WORLD, config_for("predictive", 0, 0.5));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  spread_evenly(rt, create_cells(rt, 8 * rt.size()));
  for (int step = 0; step < 6; ++step) {  // even loads: no epoch
    charge(rt, [&](ObjectId) { return 1e-3; });
    rt.step();
  }
  EXPECT_TRUE(rt.epoch_reports().empty());
  const std::size_t epochs_before = rt.epoch_reports().size();
  for (int step = 0; step < 6; ++step) {  // rank 0's objects become 10x heavier
    charge(rt, [&](ObjectId) { return rt.rank() == 0 ? 1e-2 : 1e-3; });
    rt.step();
  }
  ASSERT_GT(rt.epoch_reports().size(), epochs_before);
  EXPECT_EQ(rt.epoch_reports().back().trigger, "threshold");
  rt.check_invariants();
}

TEST(Rebalance, AnOverloadOfOneStepMakesNoEpochTwoStepsRunningDo) {
  // The oracle's trigger watches the declared next costs, which the test sets exactly: rank 0's objects are
  // declared 10x heavier for one step (a descheduled rank, a noisy measurement), then for two steps running.
  Runtime rt(MPI_COMM_WORLD, config_for("oracle", 0, 0.5));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  spread_evenly(rt, create_cells(rt, 8 * rt.size()));
  const auto declare = [&](double rank_zero_cost) {
    for (ObjectId id : rt.local_objects()) rt.declare_next_cost(id, rt.rank() == 0 ? rank_zero_cost : 1e-3);
  };
  for (int step = 1; step <= 12; ++step) {
    declare(step == 5 ? 1e-2 : 1e-3);  // step 5 alone is over the threshold
    rt.step();
  }
  EXPECT_TRUE(rt.epoch_reports().empty()) << "one step over the threshold is not an overload";
  for (int step = 13; step <= 14; ++step) {
    declare(1e-2);
    rt.step();
  }
  ASSERT_EQ(rt.epoch_reports().size(), 1u) << "two steps over the threshold running are";
  EXPECT_EQ(rt.epoch_reports().front().trigger, "threshold");
  rt.check_invariants();
}

TEST(Rebalance, AnEpochThatMovedNothingIsNotAskedForAgainByTheSameOverload) {
  // Rank 0 holds one object, declared heavier than every other rank's eight together and than anything rank 0
  // could give away without overshooting: the oracle's epoch moves nothing. Nothing is measured, so the
  // epoch's forecast sees no imbalance while the trigger (watching the declared costs) sees 1.4x the mean or
  // more. The bar for the next threshold epoch is what the trigger watched, not what the forecast projected:
  // the same overload, steps later, must not ask for the same epoch again.
  Runtime rt(MPI_COMM_WORLD, config_for("oracle", 0, 0.2));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  const std::vector<ObjectId> ids = create_cells(rt, 1 + 8 * (rt.size() - 1));
  std::vector<Move> moves;  // object 0 to rank 0, then eight to each other rank
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const int to = k == 0 ? 0 : 1 + static_cast<int>((k - 1) / 8);
    if (rt.owner_of(ids[k]) == rt.rank() && to != rt.rank()) moves.push_back({ids[k], to});
  }
  rt.migrate(moves);
  ASSERT_EQ(rt.local_objects().size(), rt.rank() == 0 ? 1u : 8u);
  for (int step = 1; step <= 14; ++step) {
    for (ObjectId id : rt.local_objects()) rt.declare_next_cost(id, rt.rank() == 0 ? 2e-2 : 1e-3);
    rt.step();
  }
  ASSERT_FALSE(rt.epoch_reports().empty()) << "the premise: the declared overload triggers an epoch";
  EXPECT_EQ(rt.epoch_reports().front().trigger, "threshold");
  EXPECT_EQ(rt.epoch_reports().front().objects_moved, 0u) << "the premise: nothing can be moved";
  EXPECT_EQ(rt.epoch_reports().size(), 1u) << "the same overload asked for the same epoch again";
  rt.check_invariants();
}

TEST(Rebalance, EachStrategyIsTriggeredByTheLoadItPlansOn) {
  // Rank 0's objects become 10x heavier at step 7. A reactive strategy (refine) learns of it from what it
  // measured and gets a threshold epoch; static, which never moves, gets none.
  for (const std::string& strategy : std::vector<std::string>{"refine", "static"}) {
    Runtime rt(MPI_COMM_WORLD, config_for(strategy, 0, 0.5));
    if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
    spread_evenly(rt, create_cells(rt, 8 * rt.size()));
    for (int step = 1; step <= 12; ++step) {
      charge(rt, [&](ObjectId) { return rt.rank() == 0 && step >= 7 ? 1e-2 : 1e-3; });
      rt.step();
      if (step == 6) {
        EXPECT_TRUE(rt.epoch_reports().empty()) << strategy << ": even loads, no epoch";
      }
    }
    if (strategy == "static") {
      EXPECT_TRUE(rt.epoch_reports().empty()) << "static never moves: no threshold epochs";
    } else {
      ASSERT_FALSE(rt.epoch_reports().empty()) << strategy << " must react to the measured overload";
      EXPECT_EQ(rt.epoch_reports().front().trigger, "threshold");
      EXPECT_GE(rt.epoch_reports().front().step, 7) << "measured: not before the overload showed";
    }
    rt.check_invariants();
  }
}

TEST(Rebalance, WritesIssuedBeforeAnEpochAreNotLost) {
  Runtime rt(MPI_COMM_WORLD, config_for("greedy", 1));
  const std::vector<ObjectId> ids = create_cells(rt, 8 * rt.size());
  for (int round = 1; round <= 4; ++round) {
    // Every rank increments the objects with index = rank (mod size), wherever they live; then the step
    // runs an epoch (greedy moves many objects) right behind the writes.
    for (std::size_t k = static_cast<std::size_t>(rt.rank()); k < ids.size();
         k += static_cast<std::size_t>(rt.size())) {
      // Read-your-writes: a copy may lag one version (the staleness bound), this rank's last write may not.
      Cell cell = rt.read<Cell>(ids[k], {.min_version = static_cast<Version>(round)}).value;
      cell.value += 1000;
      rt.write(ids[k], cell);
    }
    charge(rt, [&](ObjectId id) { return 1e-4 * static_cast<double>(id.value % 7 + 1); });
    rt.step();
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const auto cell = rt.read<Cell>(ids[k], {.min_version = static_cast<Version>(1 + round)});
      EXPECT_EQ(cell.value.value, static_cast<std::int64_t>(k) + 1000 * round) << "object " << k;
      EXPECT_EQ(cell.version, static_cast<Version>(1 + round)) << "object " << k;
    }
    rt.barrier();
  }
  EXPECT_EQ(rt.epoch_reports().size(), 4u);
}

TEST(Rebalance, EveryEpochIsTracedWithWhatThePlannerSaw) {
  // One folder for the job: rank 0's pid, shared so every rank has the same configuration.
  long pid = static_cast<long>(getpid());
  MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("penumbra-trace-test-" + std::to_string(pid) + "-" + std::to_string(ranks));
  Config config = config_for("greedy", 2);
  config.affinity.default_bandwidth = 2.5e8;  // reach the planner's input as they are set (defaults 1e9, 0.05)
  config.balance.plan_target = 0.125;
  config.trace.dir = dir.string();
  config.trace.run_name = "epochs";
  std::vector<balance::EpochReport> reports;
  std::size_t objects = 0;
  {
    Runtime rt(MPI_COMM_WORLD, config);
    objects = create_cells(rt, 6 * rt.size()).size();
    for (int step = 0; step < 6; ++step) {
      charge(rt, [&](ObjectId id) { return 1e-4 * static_cast<double>(id.value % 5 + 1); });
      rt.step();
    }
    reports = rt.epoch_reports();
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    const trace::Trace trace = trace::read_trace(dir / "epochs.penumbra-trace.jsonl");
    EXPECT_EQ(trace.header.ranks, ranks);
    EXPECT_EQ(trace.header.strategy, "greedy");
    ASSERT_EQ(trace.epochs.size(), reports.size());
    ASSERT_EQ(reports.size(), 3u);  // steps 2, 4, 6
    for (std::size_t e = 0; e < reports.size(); ++e) {
      const trace::EpochRecord& record = trace.epochs[e];
      EXPECT_EQ(record.epoch, reports[e].epoch);
      EXPECT_EQ(record.step, reports[e].step);
      EXPECT_EQ(record.trigger, trace::Trigger::periodic);
      EXPECT_EQ(record.ranks.size(), static_cast<std::size_t>(ranks));
      EXPECT_EQ(record.input.objects.size(), objects) << "the planner saw every object";
      EXPECT_DOUBLE_EQ(record.input.bandwidth_bytes_per_s, 2.5e8);
      EXPECT_DOUBLE_EQ(record.input.threshold, config.balance.threshold);
      EXPECT_DOUBLE_EQ(record.input.plan_target, 0.125);
      EXPECT_EQ(record.moves.size(), reports[e].objects_moved);
      EXPECT_EQ(record.prediction_error.has_value(), e > 0) << "no forecast before the first epoch";
    }
    std::filesystem::remove_all(dir);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(Rebalance, UnknownStrategyIsAConfigErrorNamingIt) {
  Config config = config_for("static", 1);
  config.balance.strategy = "zoltan-ish";
  try {
    Runtime rt(MPI_COMM_WORLD, config);
    FAIL() << "an unknown strategy must be refused";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("zoltan-ish"), std::string::npos) << error.what();
  }
}

TEST(Rebalance, DeclarationsRejectBadArguments) {
  Runtime rt(MPI_COMM_WORLD, config_for("oracle", 0));
  const std::vector<ObjectId> ids = create_cells(rt, 2 * rt.size());
  EXPECT_THROW(rt.declare_dependency(ids[0], ids[0], 10.0), InvalidArgument);
  EXPECT_THROW(rt.declare_dependency(ids[0], ids[1], -1.0), InvalidArgument);
  for (ObjectId id : ids)
    if (rt.owner_of(id) != rt.rank()) {
      EXPECT_THROW(rt.declare_next_cost(id, 1e-3), InvalidArgument);
      break;
    }
  rt.barrier();
}

// ---- balance.overlap_moves: an epoch's transfers travel during the next step; owners change when it ends.

Config overlapping(const std::string& strategy, std::int64_t epoch_every) {
  Config config = config_for(strategy, epoch_every);
  config.balance.overlap_moves = true;
  return config;
}

std::vector<int> owners_of(Runtime& rt, const std::vector<ObjectId>& ids) {
  std::vector<int> owners;
  for (ObjectId id : ids) owners.push_back(rt.owner_of(id));
  return owners;
}

std::size_t changed(const std::vector<int>& before, const std::vector<int>& after) {
  std::size_t count = 0;
  for (std::size_t k = 0; k < before.size(); ++k) count += before[k] != after[k] ? 1 : 0;
  return count;
}

TEST(OverlappedMoves, OwnersChangeOnlyWhenTheNextStepEndsAndNothingIsLost) {
  Runtime rt(MPI_COMM_WORLD, overlapping("greedy", 2));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  const std::vector<ObjectId> ids = create_cells(rt, 16 * rt.size());  // all on rank 0: greedy moves many
  const Census before = census(rt);
  std::mt19937_64 random(7);  // same seed everywhere
  std::size_t landed = 0;
  for (int step = 1; step <= 7; ++step) {
    charge(rt, [&](ObjectId) { return std::uniform_real_distribution<double>(1e-4, 1e-3)(random); });
    const std::vector<int> owners_before = owners_of(rt, ids);
    rt.step();
    const std::size_t moved = changed(owners_before, owners_of(rt, ids));
    if (step % 2 == 0) {
      // The epoch of this step started its moves; the sources still own everything.
      EXPECT_EQ(moved, 0u) << "step " << step;
      EXPECT_EQ(rt.epoch_reports().back().overlapped, rt.epoch_reports().back().objects_moved > 0);
    } else if (step > 1) {
      // The previous step's epoch landed, and its report counts what landed.
      EXPECT_EQ(moved, rt.epoch_reports().back().objects_moved) << "step " << step;
      landed += moved;
    }
    EXPECT_EQ(census(rt), before) << "after step " << step;
    rt.check_invariants();
  }
  EXPECT_GT(landed, 0u);
  // Step 8's epoch leaves moves travelling; an explicit migration lands them first.
  charge(rt, [&](ObjectId) { return std::uniform_real_distribution<double>(1e-4, 1e-3)(random); });
  rt.step();
  const std::vector<int> owners_before = owners_of(rt, ids);
  rt.migrate({});
  EXPECT_EQ(changed(owners_before, owners_of(rt, ids)), rt.epoch_reports().back().objects_moved);
  EXPECT_EQ(census(rt), before);
  rt.check_invariants();
}

TEST(OverlappedMoves, WritesAndErasesWhileMovesTravelAreNotLost) {
  Runtime rt(MPI_COMM_WORLD, overlapping("greedy", 1));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  const int count = 16 * rt.size();
  const std::vector<ObjectId> ids = create_cells(rt, count);  // all on rank 0
  const auto erased = [](int k) { return k % 4 == 1; };
  const auto charge_all = [&] { charge(rt, [&](ObjectId id) { return 1e-4 * static_cast<double>(id.value % 7 + 1); }); };
  charge_all();
  rt.step();  // epoch 1: rank 0 starts sending most of its objects
  ASSERT_EQ(rt.epoch_reports().size(), 1u);
  const std::size_t started = rt.epoch_reports()[0].objects_moved;
  ASSERT_GT(started, 0u);
  // While they travel, a quarter of the objects is erased and every other one written.
  for (int k = 0; k < count; ++k) {
    const auto index = static_cast<std::size_t>(k);
    if (k % rt.size() != rt.rank()) continue;
    if (erased(k)) {
      rt.erase(ids[index]);
    } else {
      rt.write(ids[index], Cell{k + 1000, {}});
    }
  }
  charge_all();
  rt.step();  // epoch 1 lands (epoch 2 starts)
  const balance::EpochReport& first = rt.epoch_reports()[0];
  EXPECT_GT(first.objects_resent, 0u) << "writes must have raced travelling moves";
  EXPECT_LT(first.objects_moved, started) << "erased travelling objects stay with their source";
  for (int round = 2; round <= 4; ++round) {  // more writes racing epochs 2..4, all landing
    for (int k = rt.rank(); k < count; k += rt.size())
      if (!erased(k)) rt.write(ids[static_cast<std::size_t>(k)], Cell{k + 1000 * round, {}});
    charge_all();
    rt.step();
  }
  std::uint64_t erased_count = 0;
  for (int k = 0; k < count; ++k) {
    const auto index = static_cast<std::size_t>(k);
    if (erased(k)) {
      ++erased_count;
      EXPECT_THROW(rt.read<Cell>(ids[index]), ObjectErased) << "object " << k;
      continue;
    }
    const auto cell = rt.read<Cell>(ids[index], {.min_version = 5});  // not a copy a version behind
    EXPECT_EQ(cell.value.value, k + 4000) << "object " << k;
    EXPECT_EQ(cell.version, Version{5}) << "object " << k;  // created, then written in 4 rounds
  }
  rt.barrier();  // every rank's reads are answered before the census's collectives
  EXPECT_EQ(census(rt).count, static_cast<std::uint64_t>(count) - erased_count);
  rt.check_invariants();
  // The runtime goes out of scope with epoch 5's moves travelling: they are abandoned, nothing hangs.
}

TEST(OverlappedMoves, ObjectsWrittenEveryStepTravelOnceWhenTheMoveLands) {
  Runtime rt(MPI_COMM_WORLD, overlapping("greedy", 2));
  if (rt.size() < 2) GTEST_SKIP() << "needs two ranks";
  const std::vector<ObjectId> ids = create_cells(rt, 16 * rt.size());  // all on rank 0
  std::mt19937_64 random(11);
  for (int step = 1; step <= 9; ++step) {
    for (ObjectId id : rt.local_objects()) {  // every object is written by its owner in every step
      Cell cell = rt.read<Cell>(id).value;
      cell.value += 1;
      rt.write(id, cell);
    }
    charge(rt, [&](ObjectId) { return std::uniform_real_distribution<double>(1e-4, 1e-3)(random); });
    rt.step();
  }
  const std::vector<balance::EpochReport>& reports = rt.epoch_reports();
  ASSERT_EQ(reports.size(), 4u);  // steps 2, 4, 6, 8: all landed by step 9
  // The first epoch had no write history: its values left early and went again.
  EXPECT_GT(reports[0].objects_resent, 0u);
  std::size_t later_moves = 0;
  for (std::size_t e = 1; e < reports.size(); ++e) {
    EXPECT_EQ(reports[e].objects_resent, 0u) << "epoch " << e + 1 << ": its values should have waited";
    later_moves += reports[e].objects_moved;
  }
  EXPECT_GT(later_moves, 0u);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const auto cell = rt.read<Cell>(ids[k], {.min_version = 10});  // not a copy a version behind
    EXPECT_EQ(cell.value.value, static_cast<std::int64_t>(k) + 9) << "object " << k;
    EXPECT_EQ(cell.version, Version{10}) << "object " << k;
  }
  rt.barrier();
  rt.check_invariants();
}

}  // namespace
}  // namespace penumbra
