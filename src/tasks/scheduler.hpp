#pragma once
// The task scheduler of one rank: the mechanism that carries out placement's decisions. A round is
// collective: every rank sends the tasks submitted since the last round to the ranks placement chose (one
// all-to-all), runs its queue, then, when it runs dry, takes read-only tasks from the busiest ranks whose
// reads it holds (two-sided requests the victim serves whenever it enters the runtime), waits for every rank
// (serving), and sends each result back to the submitter (a second all-to-all), where it resolves the future.
// Queued tasks are the load monitor's incoming work while they wait.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "mpi/communicator.hpp"
#include "penumbra/load.hpp"
#include "penumbra/task_options.hpp"
#include "penumbra/tasks.hpp"
#include "tasks/placement.hpp"
#include "tasks/record.hpp"
#include "transport/messenger.hpp"

namespace penumbra::tasks {

/// What a round did, as every rank agrees (the counts) and on this rank (the failures).
struct RoundOutcome {
  std::int64_t ran_everywhere = 0;      ///< tasks run in the round, all ranks
  std::int64_t pending_everywhere = 0;  ///< tasks submitted during the round (they wait for the next), all ranks
  std::vector<TaskResult> failed_here;  ///< tasks that failed on this rank
};

class Scheduler {
 public:
  Scheduler(TaskOptions options, int rank, int ranks);

  /// Queues a task submitted on this rank for the next round (its id is assigned here) and returns the state
  /// its future reads.
  std::shared_ptr<const detail::FutureState> submit(TaskRecord task);

  using Execute = std::function<TaskResult(const TaskRecord&)>;
  /// Collective: one round (see the file comment). `registry_digest`: every rank must pass the same, else
  /// every rank throws UnknownTaskKind naming the ranks that differ, before any task runs.
  RoundOutcome run_round(const mpi::Communicator& comm, transport::Messenger& messenger, const PlacementView& view,
                         LoadMonitor& monitor, std::uint64_t registry_digest, const Execute& execute);

  /// Serving a steal request of `thief`: the last queued task it may run (read-only, reads held there), encoded,
  /// or empty. The task leaves this rank's queue.
  Bytes give_to(int thief, const PlacementView& view, LoadMonitor& monitor);

  /// How many tasks read each object this rank owns, counted since the last call (the shadow policy's
  /// "dependents").
  std::unordered_map<ObjectId, std::int64_t> take_readers();

  bool has_submitted() const noexcept { return !outbox_.empty(); }
  const TaskStats& stats() const noexcept { return stats_; }

 private:
  void run_queued(const Execute& execute, LoadMonitor& monitor, transport::Messenger& messenger);
  void steal(const std::vector<int>& victims, const Execute& execute, transport::Messenger& messenger);
  void finish(TaskResult result);

  TaskOptions options_;
  int rank_;
  int ranks_;
  std::uint64_t next_sequence_ = 1;
  std::vector<TaskRecord> outbox_;                  // submitted here, not placed yet
  std::deque<TaskRecord> queue_;                    // placed here, not run yet
  std::vector<std::vector<TaskResult>> results_;    // per submitter, this round
  std::unordered_map<std::uint64_t, std::shared_ptr<detail::FutureState>> futures_;  // by TaskId::value
  std::unordered_map<ObjectId, std::int64_t> readers_;
  std::vector<TaskResult> failed_;
  std::int64_t ran_ = 0;
  TaskStats stats_;
};

}  // namespace penumbra::tasks
