// The task scheduler under real ranks: placement follows the write set and the shadows, stealing moves only
// read-only tasks, a throwing task leaves its objects unchanged, futures resolve on the submitting rank, and
// bad input gets a typed error. Expected values are computed here from the inputs, never read back from the
// scheduler's own bookkeeping.
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "penumbra/penumbra.hpp"

namespace penumbra {
namespace {

struct Counter {
  std::int64_t value;
};

struct Operands {
  std::int64_t a;
  std::int64_t b;
  std::int64_t object;  // index of the object a task touches (-1: none)
  double work_ms;       // how long the task works (a sleep: it frees the core on an oversubscribed node)
};

std::string object_name(std::int64_t i) { return "tasks/object/" + std::to_string(i); }
ObjectId object_id(std::int64_t i) { return ObjectId::from_name(object_name(i)); }

// Every rank creates the objects whose index is its rank modulo the size, at their home.
void create_objects(Runtime& rt, int count, std::int64_t initial) {
  for (int i = 0; i < count; ++i)
    if (rt.owner_of(object_name(i)) == rt.rank()) rt.create(object_name(i), Counter{initial + i});
  rt.barrier();
}

// The first object index whose home is `rank` (homes are a hash of the name: docs/objects.md).
std::int64_t index_homed_at(const Runtime& rt, int rank) {
  for (std::int64_t i = 0;; ++i)
    if (rt.owner_of(object_name(i)) == rank) return i;
}

void work_for(double milliseconds) {
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(milliseconds));
}

template <class T>
T sum_over_ranks(T value) {
  T total{};
  MPI_Allreduce(&value, &total, 1, sizeof(T) == 8 ? MPI_INT64_T : MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

TEST(Tasks, WritingTaskRunsAtTheOwnerAndCommitsItsWrite) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  constexpr int kObjects = 12;
  create_objects(rt, kObjects, 100);
  // Increments its object; returns where it ran.
  const auto increment = rt.register_task<Operands>("increment", [](TaskContext& ctx, const Operands& op) {
    const ObjectId id = object_id(op.object);
    const Counter current = ctx.read<Counter>(id).value;
    ctx.write(id, Counter{current.value + op.a});
    return ctx.rank();
  });
  // Every rank increments every object by (its rank + 1).
  std::vector<Future<int>> futures;
  for (int i = 0; i < kObjects; ++i)
    futures.push_back(rt.submit(increment, Operands{rt.rank() + 1, 0, i, 0.0}, TaskSpec{}.with_writes({object_id(i)})));
  rt.step();
  for (int i = 0; i < kObjects; ++i) {
    ASSERT_TRUE(futures[static_cast<std::size_t>(i)].ready());
    EXPECT_EQ(futures[static_cast<std::size_t>(i)].get(), rt.owner_of(object_name(i))) << "object " << i;
  }
  const std::int64_t added = static_cast<std::int64_t>(rt.size()) * (rt.size() + 1) / 2;  // 1 + 2 + ... + size
  for (int i = 0; i < kObjects; ++i) {
    const auto [value, version] = rt.read<Counter>(object_name(i));
    EXPECT_EQ(value.value, 100 + i + added) << "object " << i;
    EXPECT_EQ(version, static_cast<Version>(1 + rt.size())) << "one version per task";
  }
  rt.barrier();
}

TEST(Tasks, FuturesResolveOnTheSubmittingRankAtTheStep) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  const auto multiply = rt.register_task<Operands>(
      "multiply", [](TaskContext&, const Operands& op) { return Counter{op.a * op.b}; });
  std::vector<Future<Counter>> futures;
  for (std::int64_t k = 0; k < 5; ++k)
    futures.push_back(rt.submit(multiply, Operands{rt.rank() + 2, k + 3, -1, 0.0}, TaskSpec{}));
  EXPECT_FALSE(futures[0].ready());
  EXPECT_THROW(futures[0].get(), TaskPending);
  rt.step();
  for (std::int64_t k = 0; k < 5; ++k) {
    ASSERT_TRUE(futures[static_cast<std::size_t>(k)].ready());
    EXPECT_EQ(futures[static_cast<std::size_t>(k)].id().submitter(), rt.rank());
    EXPECT_EQ(futures[static_cast<std::size_t>(k)].get().value, (rt.rank() + 2) * (k + 3));
  }
  EXPECT_EQ(rt.task_stats().submitted, 5U);
}

TEST(Tasks, ThrowingTaskLeavesItsObjectsUnchangedAndIsReportedToTheSubmitter) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  create_objects(rt, 2, 7);
  // Stages writes of both objects, then throws: neither write may land.
  const auto failing = rt.register_task<Operands>("write then throw", [](TaskContext& ctx, const Operands& op) {
    ctx.write(object_id(0), Counter{op.a});
    ctx.write(object_id(1), Counter{op.a});
    throw std::runtime_error("boom at " + std::to_string(op.a));
  });
  const auto reads_undeclared = rt.register_task<Operands>("reads undeclared", [](TaskContext& ctx, const Operands&) {
    return ctx.read<Counter>(object_id(1)).value.value;  // declared: only object 0
  });
  Future<void> failed;
  Future<std::int64_t> undeclared;
  if (rt.rank() == rt.size() - 1) {
    failed = rt.submit(failing, Operands{-5, 0, 0, 0.0}, TaskSpec{}.with_writes({object_id(0), object_id(1)}));
    undeclared = rt.submit(reads_undeclared, Operands{}, TaskSpec{}.with_reads({object_id(0)}));
  }
  rt.step();  // tasks.on_error = continue: the step goes on
  if (failed.valid()) {
    try {
      failed.get();
      ADD_FAILURE() << "the failure was not reported";
    } catch (const TaskFailed& error) {
      EXPECT_EQ(error.kind(), "write then throw");
      EXPECT_EQ(error.rank(), rt.owner_of(object_name(0)));
      EXPECT_NE(std::string(error.what()).find("boom at -5"), std::string::npos) << error.what();
    }
    try {
      undeclared.get();
      ADD_FAILURE() << "an undeclared read was allowed";
    } catch (const TaskFailed& error) {
      EXPECT_NE(std::string(error.what()).find(to_string(object_id(1))), std::string::npos) << error.what();
    }
  }
  for (int i = 0; i < 2; ++i) {
    const auto [value, version] = rt.read<Counter>(object_name(i));
    EXPECT_EQ(value.value, 7 + i);
    EXPECT_EQ(version, 1U);
  }
  rt.barrier();
}

TEST(Tasks, StopOnErrorEndsTheStepOnEveryRank) {
  Config config;
  config.tasks.on_error = "stop";
  Runtime rt{MPI_COMM_WORLD, config};
  const auto failing = rt.register_task<Operands>(
      "fails", [](TaskContext&, const Operands&) -> int { throw std::runtime_error("stop here"); });
  if (rt.rank() == 0) rt.submit(failing, Operands{}, TaskSpec{});
  // Runs on rank 0 (the submitter: no objects); rank 0 sees the task's failure, the others a RemoteError.
  if (rt.rank() == 0)
    EXPECT_THROW(rt.step(), TaskFailed);
  else
    EXPECT_THROW(rt.step(), RemoteError);
  rt.step();  // the runtime is usable afterwards
}

TEST(Tasks, ReadOnlyTasksRunWhereTheirReadsAreHeld) {
  Config config;
  config.shadow.enabled = true;
  config.shadow.max_copies = 3;
  config.tasks.stealing = false;  // placement alone decides here
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() < 3) GTEST_SKIP() << "needs an owner and at least two readers";
  if (rt.rank() == 0) rt.create("tasks/hot", Counter{42});
  rt.barrier();
  if (rt.owner_of("tasks/hot") != rt.rank())
    for (int i = 0; i < 200; ++i) rt.read<Counter>("tasks/hot");
  rt.update_shadows();  // copies go to the readers; every rank learns where they are
  const bool holds = rt.holds_shadow("tasks/hot") || rt.owner_of("tasks/hot") == rt.rank();
  const int holders = sum_over_ranks<int>(holds ? 1 : 0);
  ASSERT_GE(holders, 2) << "the policy placed no copy: nothing to test";

  struct Where {
    int rank;
    bool held_here;
    std::int64_t value;
  };
  const auto probe = rt.register_task<Operands>("probe", [](TaskContext& ctx, const Operands&) {
    Runtime& runtime = ctx.runtime();
    const bool held = runtime.holds_shadow("tasks/hot") || runtime.owner_of("tasks/hot") == ctx.rank();
    return Where{ctx.rank(), held, ctx.read<Counter>(ObjectId::from_name("tasks/hot")).value.value};
  });
  std::vector<Future<Where>> futures;
  const int submitter = rt.size() - 1;
  if (rt.rank() == submitter)
    for (int k = 0; k < 4 * holders; ++k)
      futures.push_back(rt.submit(probe, Operands{}, TaskSpec{}.with_reads({ObjectId::from_name("tasks/hot")})));
  rt.step();
  std::vector<int> ran_on(static_cast<std::size_t>(rt.size()), 0);
  for (const Future<Where>& future : futures) {
    const Where where = future.get();
    EXPECT_TRUE(where.held_here) << "a read-only task ran on rank " << where.rank << ", which holds no copy";
    EXPECT_EQ(where.value, 42);
    ++ran_on[static_cast<std::size_t>(where.rank)];
  }
  if (rt.rank() == submitter) {
    // Equal loads: the batch spreads over every holder instead of piling on one.
    int ranks_used = 0;
    for (int count : ran_on) ranks_used += count > 0 ? 1 : 0;
    EXPECT_EQ(ranks_used, holders);
  }
  rt.barrier();
}

TEST(Tasks, StealingTakesOnlyReadOnlyTasksWhoseReadsTheThiefHolds) {
  Config config;
  config.tasks.stealing = true;
  Runtime rt{MPI_COMM_WORLD, config};  // no shadows: only tasks that read nothing can be stolen
  constexpr int kTasks = 24;
  const std::int64_t mine = index_homed_at(rt, 0);
  if (rt.rank() == 0) rt.create(object_name(mine), Counter{0});
  rt.barrier();
  struct Ran {
    int rank;
    bool read_only;
  };
  const auto job = rt.register_task<Operands>("job", [](TaskContext& ctx, const Operands& op) {
    work_for(op.work_ms);
    if (op.b == 1) {  // the writing kind
      const ObjectId id = object_id(op.object);
      ctx.write(id, Counter{ctx.read<Counter>(id).value.value + 1});
    } else if (op.b == 2) {  // reads an object it does not write
      ctx.read<Counter>(object_id(op.object));
    }
    return Ran{ctx.rank(), op.b != 1};
  });
  // Rank 0 queues everything on itself: writes of its own object, reads of its own object (which no other
  // rank holds), and tasks that read nothing (which any rank may take).
  std::vector<std::pair<int, Future<Ran>>> futures;  // (kind, future)
  if (rt.rank() == 0) {
    for (int k = 0; k < kTasks; ++k) {
      const int kind = k % 3;
      TaskSpec spec;
      if (kind == 1) spec.writes = {object_id(mine)};
      if (kind == 2) spec.reads = {object_id(mine)};
      futures.emplace_back(kind, rt.submit(job, Operands{0, kind, mine, 4.0}, spec));
    }
  }
  rt.step();
  int writes_seen = 0;
  for (auto& [kind, future] : futures) {
    const Ran ran = future.get();
    if (kind != 0) {
      EXPECT_EQ(ran.rank, 0) << "a task of kind " << kind << " left the rank that holds its object";
    }
    writes_seen += kind == 1 ? 1 : 0;
  }
  const std::int64_t stolen = sum_over_ranks<std::int64_t>(static_cast<std::int64_t>(rt.task_stats().stolen));
  const std::int64_t given = sum_over_ranks<std::int64_t>(static_cast<std::int64_t>(rt.task_stats().given));
  EXPECT_EQ(stolen, given);
  if (rt.size() > 1) {
    EXPECT_GT(stolen, 0) << "idle ranks took none of the " << kTasks / 3 << " free tasks";
  }
  if (rt.rank() == 0) {
    EXPECT_EQ(rt.read<Counter>(object_name(mine)).value.value, writes_seen) << "every write landed once";
    EXPECT_EQ(rt.task_stats().stolen, 0U) << "rank 0 had work of its own";
  }
  rt.barrier();
}

TEST(Tasks, RunUntilIdleRunsTasksSubmittedByTasks) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  create_objects(rt, 1, 0);
  // Each link increments object 0 and submits the next link until the chain has `a` links.
  TaskKind<Operands, void> chain;
  chain = rt.register_task<Operands>("chain", [&chain](TaskContext& ctx, const Operands& op) {
    const ObjectId id = object_id(0);
    ctx.write(id, Counter{ctx.read<Counter>(id).value.value + 1});
    if (op.b + 1 < op.a) ctx.runtime().submit(chain, Operands{op.a, op.b + 1, 0, 0.0}, TaskSpec{}.with_writes({id}));
  });
  constexpr int kLinks = 5;
  rt.submit(chain, Operands{kLinks, 0, 0, 0.0}, TaskSpec{}.with_writes({object_id(0)}));
  const std::int64_t ran = rt.run_until_idle();
  EXPECT_EQ(ran, static_cast<std::int64_t>(kLinks) * rt.size());
  EXPECT_EQ(rt.read<Counter>(object_name(0)).value.value, kLinks * rt.size());
  EXPECT_EQ(rt.run_until_idle(), 0) << "nothing left";
  rt.barrier();
}

TEST(Tasks, QueuedTasksAreTheMonitorsIncomingWork) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  create_objects(rt, rt.size(), 0);
  const auto touch = rt.register_task<Operands>("touch", [](TaskContext& ctx, const Operands& op) {
    ctx.write(object_id(op.object), Counter{op.a});
  });
  // Every rank sends one task to every object's owner: each rank receives `size` tasks per object it owns.
  for (int i = 0; i < rt.size(); ++i)
    rt.submit(touch, Operands{1, 0, i, 0.0}, TaskSpec{}.with_writes({object_id(i)}).with_cost(0.25));
  const LoadSnapshot before = rt.monitor().snapshot();
  rt.run_until_idle();
  const LoadSnapshot after = rt.monitor().snapshot();
  int owned = 0;
  for (int i = 0; i < rt.size(); ++i) owned += rt.owner_of(object_name(i)) == rt.rank() ? 1 : 0;
  const auto expected = static_cast<std::uint64_t>(owned * rt.size());
  EXPECT_EQ(after.rank.enqueued_tasks - before.rank.enqueued_tasks, expected);
  EXPECT_EQ(after.rank.dequeued_tasks - before.rank.dequeued_tasks, expected);
  EXPECT_EQ(after.rank.queued_tasks, 0U);
  rt.barrier();
}

TEST(Tasks, BadInputGetsTypedErrors) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  const auto kind = rt.register_task<Operands>("known", [](TaskContext&, const Operands&) { return 1; });
  EXPECT_THROW(rt.register_task<Operands>("known", [](TaskContext&, const Operands&) {}), UnknownTaskKind);
  EXPECT_THROW(rt.register_task<Operands>("", [](TaskContext&, const Operands&) {}), UnknownTaskKind);
  EXPECT_THROW((rt.submit(TaskKind<Operands, int>{"never registered"}, Operands{}, TaskSpec{})), UnknownTaskKind);
  EXPECT_THROW((rt.task_kind<Operands, double>("known")), UnknownTaskKind) << "wrong result type";
  EXPECT_THROW((rt.task_kind<Counter, int>("known")), UnknownTaskKind) << "wrong argument type";
  EXPECT_NO_THROW((rt.task_kind<Operands, int>("known")));
  EXPECT_THROW(rt.submit(kind, Operands{}, TaskSpec{}.with_reads({object_id(1), object_id(1)})), InvalidArgument);
  EXPECT_THROW(rt.submit(kind, Operands{}, TaskSpec{}.with_cost(-1.0)), InvalidArgument);
  EXPECT_THROW(rt.submit(kind, Operands{}, TaskSpec{}.with_cost(std::nan(""))), InvalidArgument);
  EXPECT_THROW(Future<int>{}.get(), InvalidArgument);
  rt.step();  // nothing was queued by the rejected submissions
  EXPECT_EQ(rt.task_stats().executed, 0U);
}

TEST(Tasks, RanksThatRegisteredDifferentKindsAreNamed) {
  Runtime rt{MPI_COMM_WORLD, Config{}};
  if (rt.size() == 1) GTEST_SKIP() << "needs a second rank to differ";
  const auto kind = rt.register_task<Operands>("common", [](TaskContext&, const Operands&) {});
  if (rt.rank() == 1) rt.register_task<Operands>("only on rank 1", [](TaskContext&, const Operands&) {});
  rt.submit(kind, Operands{}, TaskSpec{});
  try {
    rt.step();
    ADD_FAILURE() << "the difference went unnoticed";
  } catch (const UnknownTaskKind& error) {
    EXPECT_NE(std::string(error.what()).find("rank(s) 1 "), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace penumbra
