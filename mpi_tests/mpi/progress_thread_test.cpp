// The progress thread (config `progress_thread`): while a rank's application computes outside Penumbra, other
// ranks' reads and writes of its objects are answered and its due versions are pushed to their shadows.
//
// "Outside Penumbra" is made exact, with no sleep: the owner waits in an application-level MPI_Ibarrier that
// the other ranks enter only after their reads were answered (or their copy got the pushed version). Without a
// progress thread nobody answers them, so the owner's wait runs into its deadline and the test fails; the
// owner then serves (rt.barrier) so that the others finish and the suite does not hang.
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <string>

#include "penumbra/penumbra.hpp"
#include "shadow_test_support.hpp"

namespace penumbra {
namespace {

using shadow_test::Cell;
using shadow_test::cell_of;
using shadow_test::name_at;

constexpr auto kDeadline = std::chrono::seconds(30);

// An application-level barrier on its own communicator. The owner enters it first, non-blocking, and tests it
// in a loop that makes no Penumbra call (its "computation"); the others enter it when done, which completes it.
class OutsideBarrier {
 public:
  // Collective over MPI_COMM_WORLD; the barrier is among the ranks passing `member`.
  explicit OutsideBarrier(bool member = true) { MPI_Comm_split(MPI_COMM_WORLD, member ? 0 : MPI_UNDEFINED, 0, &comm_); }
  ~OutsideBarrier() {
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }
  OutsideBarrier(const OutsideBarrier&) = delete;
  OutsideBarrier& operator=(const OutsideBarrier&) = delete;

  // The owner: true when every other rank arrived before the deadline.
  bool compute_until_everyone_arrives() {
    MPI_Ibarrier(comm_, &request_);
    const auto started = std::chrono::steady_clock::now();
    int done = 0;
    while (!done && std::chrono::steady_clock::now() - started < kDeadline) MPI_Test(&request_, &done, MPI_STATUS_IGNORE);
    return done != 0;
  }
  // The owner, after compute_until_everyone_arrives: serves (and pushes) from this thread until the others
  // arrive. After a missed deadline it lets them finish, so that the failure is reported instead of a hang.
  void finish_serving(Runtime& rt) {
    for (int done = 0; !done; MPI_Test(&request_, &done, MPI_STATUS_IGNORE)) rt.progress();
  }
  // Every other rank, when done (non-blocking too: MPI matches a non-blocking collective only with its kind).
  void arrive() {
    MPI_Ibarrier(comm_, &request_);
    MPI_Wait(&request_, MPI_STATUS_IGNORE);
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  MPI_Request request_ = MPI_REQUEST_NULL;
};

Config progress_config() {
  Config config;
  config.progress_thread = true;
  return config;
}

TEST(ProgressThread, AnOwnerComputingOutsidePenumbraAnswersReadsAndWrites) {
  Config config = progress_config();
  config.shadow.enabled = false;  // no copy anywhere: only the owner's CPU can answer
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a rank that reads another's object";
  const int owner = 0;
  const std::string name = name_at(rt, owner, "busy/");
  if (rt.rank() == owner) rt.create(name, cell_of(0));
  rt.barrier();

  OutsideBarrier outside;
  if (rt.rank() == owner) {
    const bool answered = outside.compute_until_everyone_arrives();
    EXPECT_TRUE(answered) << "no rank got its answer from an owner computing outside Penumbra in "
                          << kDeadline.count() << " s";
    outside.finish_serving(rt);
  } else {
    const Versioned<Cell> before = rt.read<Cell>(name);  // the first value, or another reader's write
    EXPECT_TRUE(before.value.step >= 0 && before.value.step < rt.size()) << before.value.step;
    EXPECT_EQ(before.value.payload[3], static_cast<double>(before.value.step * 100 + 3));
    const Version written = rt.write(name, cell_of(rt.rank()));
    EXPECT_GE(written, 2u);
    const Versioned<Cell> after = rt.read<Cell>(name, ReadOptions{.min_version = written});
    EXPECT_GE(after.version, written);
    outside.arrive();
  }
  rt.barrier();
  if (rt.rank() == owner) {
    const Versioned<Cell> last = rt.read<Cell>(name);
    EXPECT_EQ(last.version, static_cast<Version>(rt.size())) << "version 1 and one write from every other rank";
  }
}

TEST(ProgressThread, PushesDueVersionsWhileTheOwnerComputes) {
  Config config = shadow_test::shadow_config(1'000'000);  // no push because of the count: only by age
  config.progress_thread = true;
  config.shadow.max_copies = 7;  // every other rank holds a copy (at up to 8 ranks)
  config.shadow.max_age_us = 500;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a rank that holds a copy";
  const int owner = 0;
  const std::string name = name_at(rt, owner, "aged/");
  if (rt.rank() == owner) rt.create(name, cell_of(0));
  rt.barrier();
  if (rt.rank() != owner)
    for (int i = 0; i < 50; ++i) rt.read<Cell>(name);  // read counts place the copies at the epoch
  rt.barrier();
  rt.update_shadows();
  if (rt.rank() != owner) {
    EXPECT_TRUE(rt.holds_shadow(name)) << "the premise: the reads placed a copy here";
  }

  const std::uint64_t pushes_before = rt.shadow_stats().pushes;
  Version written = 0;
  if (rt.rank() == owner) written = rt.write(name, cell_of(1));  // within max_age: nothing is due yet
  MPI_Bcast(&written, 1, MPI_UINT64_T, owner, MPI_COMM_WORLD);
  ASSERT_EQ(written, 2u);

  OutsideBarrier outside;
  if (rt.rank() == owner) {
    const bool pushed = outside.compute_until_everyone_arrives();
    EXPECT_TRUE(pushed) << "no copy received version 2 from an owner computing outside Penumbra in "
                        << kDeadline.count() << " s";
    // Only the progress thread can have pushed since the write: the application made no Penumbra call but
    // shadow_stats (MPI_Bcast and the loop are outside Penumbra).
    EXPECT_EQ(rt.shadow_stats().pushes, pushes_before + 1);
    outside.finish_serving(rt);
  } else {
    // The copy held here answers the reads (it is valid, only old) until a push lands; a read that meets the
    // push half-written goes to the owner, whose progress thread answers it.
    const auto started = std::chrono::steady_clock::now();
    Versioned<Cell> seen = rt.read<Cell>(name);
    while (seen.version < written && std::chrono::steady_clock::now() - started < kDeadline + kDeadline)
      seen = rt.read<Cell>(name);
    EXPECT_EQ(seen.version, written);
    EXPECT_EQ(seen.value.step, 1);
    outside.arrive();
  }
  rt.barrier();
}

TEST(ProgressThread, ServesWhileATaskBodyComputes) {
  Config config = progress_config();
  config.shadow.enabled = false;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a rank whose task reads another's object";
  const int owner = 0, reader = 1;
  const std::string owned = name_at(rt, owner, "task-owned/"), mine = name_at(rt, reader, "task-mine/");
  if (rt.rank() == owner) rt.create(owned, cell_of(5));
  if (rt.rank() == reader) rt.create(mine, cell_of(0));
  rt.barrier();

  OutsideBarrier outside(rt.rank() == owner || rt.rank() == reader);  // the others are in the task round
  struct Args {
    int role;  // 0: the owner's computing task, 1: the reader's task
  };
  bool answered = true;
  const auto work = rt.register_task<Args>("work", [&](TaskContext& ctx, const Args& args) {
    if (args.role == 0) {
      answered = outside.compute_until_everyone_arrives();
      outside.finish_serving(rt);
    } else {
      const Versioned<Cell> got = ctx.read<Cell>(ObjectRef(owned));
      EXPECT_EQ(got.value.step, 5);
      ctx.write(ObjectRef(mine), got.value);
      outside.arrive();
    }
  });
  if (rt.rank() == owner) rt.submit(work, Args{0}, TaskSpec{}.with_writes({ObjectRef(owned).id()}));
  if (rt.rank() == reader)
    rt.submit(work, Args{1}, TaskSpec{}.with_reads({ObjectRef(owned).id()}).with_writes({ObjectRef(mine).id()}));
  rt.run_until_idle();
  EXPECT_TRUE(answered) << "the reader's task got no answer while the owner's task body computed";
  rt.barrier();
  if (rt.rank() == reader) {
    EXPECT_EQ(rt.read<Cell>(mine).value.step, 5);
  }
}

// What takes no gate: a ReadHandle's inline hits, beside the progress thread serving writes, creations and
// erasures of the looping rank's own objects (an erasure bumps the read generation the hits compare). Passes
// without the thread too (the loop's paced entries serve then); it is here for jobs/run-tsan-tests.sh, which
// reports any access both threads make without the gate's order.
TEST(ProgressThread, AHandleHotLoopRunsBesideTheThread) {
  Config config = shadow_test::shadow_config(0);
  config.progress_thread = true;
  Runtime rt{MPI_COMM_WORLD, config};
  if (rt.size() == 1) GTEST_SKIP() << "needs a rank that sends requests to the looping one";
  const int owner = 0, looper = 1;
  const std::string hot = name_at(rt, owner, "loop-hot/"), target = name_at(rt, looper, "loop-target/");
  const std::string churn = name_at(rt, looper, "loop-churn/");
  if (rt.rank() == owner) rt.create(hot, cell_of(3));
  if (rt.rank() == looper) rt.create(target, cell_of(0));
  rt.barrier();
  ReadHandle<Cell> hot_handle = rt.read_handle<Cell>(hot);
  shadow_test::read_then_place_shadow(rt, hot_handle, looper);
  constexpr int kWrites = 40;
  if (rt.rank() == looper) {
    EXPECT_TRUE(rt.holds_shadow(hot)) << "the premise: the loop reads a shadow (the inline path)";
    ReadHandle<Cell> target_handle = rt.read_handle<Cell>(target);
    const auto started = std::chrono::steady_clock::now();
    std::int64_t hits = 0, wrong = 0;
    while (target_handle.read().version < 1 + kWrites &&
           std::chrono::steady_clock::now() - started < kDeadline) {
      for (int i = 0; i < 1000; ++i, ++hits) {
        const Versioned<Cell> got = hot_handle.read();
        if (got.value.step != 3 || got.value.payload[14] != 314.0) ++wrong;  // not the one value ever written
      }
    }
    EXPECT_EQ(wrong, 0) << "of " << hits << " hot reads";
    EXPECT_EQ(target_handle.read().version, static_cast<Version>(1 + kWrites)) << "after " << hits << " hot reads";
  } else if (rt.rank() == owner) {
    for (int k = 1; k <= kWrites; ++k) {
      rt.write(target, cell_of(k));
      rt.create(churn, cell_of(k));  // a creation and an erasure at the looper, each served there
      rt.erase(churn);
    }
  }
  rt.barrier();
  if (rt.rank() == looper) {
    EXPECT_EQ(rt.read<Cell>(target).value.step, kWrites);
    EXPECT_THROW(rt.read<Cell>(churn), ObjectErased);
  }
}

}  // namespace
}  // namespace penumbra
