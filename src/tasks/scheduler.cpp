#include "tasks/scheduler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mpi/collectives.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::tasks {
namespace {

// What every rank tells the others once its queue is filled: what it has to run, and its registry digest.
struct RankRound {
  double queued_cost = 0.0;
  double stealable = 0.0;
  std::uint64_t registry_digest = 0;
};

TaskShape shape_of(const TaskRecord& task, int submitter) {
  return {task.reads, task.writes, task.cost_hint_s, submitter};
}

}  // namespace

Scheduler::Scheduler(TaskOptions options, int rank, int ranks)
    : options_(std::move(options)), rank_(rank), ranks_(ranks), results_(static_cast<std::size_t>(ranks)) {}

std::shared_ptr<const detail::FutureState> Scheduler::submit(TaskRecord task) {
  task.id = TaskId::make(rank_, next_sequence_++);
  auto state = std::make_shared<detail::FutureState>();
  state->id = task.id;
  state->kind = task.kind;
  futures_.emplace(task.id.value, state);
  outbox_.push_back(std::move(task));
  ++stats_.submitted;
  return state;
}

RoundOutcome Scheduler::run_round(const mpi::Communicator& comm, transport::Messenger& messenger,
                                  const PlacementView& view, LoadMonitor& monitor, std::uint64_t registry_digest,
                                  const Execute& execute) {
  ++stats_.rounds;
  ran_ = 0;
  failed_.clear();

  // 1. Place what was submitted here, and count the readers of every object for its owner.
  std::vector<TaskBatch> outgoing(static_cast<std::size_t>(ranks_));
  std::vector<std::unordered_map<ObjectId, std::uint32_t>> readers(static_cast<std::size_t>(ranks_));
  std::vector<double> placed_cost;
  for (TaskRecord& task : outbox_) {
    const int target = place_task(shape_of(task, rank_), view, placed_cost);
    if (target != rank_) ++stats_.placed_remote;
    for (ObjectId object : task.reads) ++readers[static_cast<std::size_t>(view.owner_of(object))][object];
    outgoing[static_cast<std::size_t>(target)].tasks.push_back(std::move(task));
  }
  outbox_.clear();
  std::vector<std::vector<std::byte>> bytes(static_cast<std::size_t>(ranks_));
  for (std::size_t r = 0; r < outgoing.size(); ++r) {
    outgoing[r].readers.assign(readers[r].begin(), readers[r].end());
    if (!outgoing[r].tasks.empty() || !outgoing[r].readers.empty()) bytes[r] = encode(outgoing[r]);
  }

  // 2. Exchange: every rank's queue for this round.
  for (const std::vector<std::byte>& received : mpi::alltoallv(comm, bytes)) {
    if (received.empty()) continue;
    TaskBatch batch = decode_task_batch(received);
    for (const auto& [object, count] : batch.readers) readers_[object] += count;
    for (TaskRecord& task : batch.tasks) {
      monitor.record_enqueued(task.cost_hint_s, task.objects());
      queue_.push_back(std::move(task));
    }
  }
  RankRound mine{.registry_digest = registry_digest};
  for (const TaskRecord& task : queue_) {
    mine.queued_cost += counted_cost(task.cost_hint_s);
    if (task.read_only()) mine.stealable += counted_cost(task.cost_hint_s);
  }
  const std::vector<RankRound> all = mpi::allgather(comm, mine);
  std::string differing;
  for (int r = 0; r < ranks_; ++r)
    if (all[static_cast<std::size_t>(r)].registry_digest != all[0].registry_digest)
      differing += fmt::format("{}{}", differing.empty() ? "" : ", ", r);
  if (!differing.empty()) {
    // A programming error found before anything runs: the queued tasks are dropped on every rank alike.
    for (const TaskRecord& task : queue_) monitor.record_dequeued(task.cost_hint_s, task.objects());
    queue_.clear();
    throw UnknownTaskKind(fmt::format(
        "the task kinds registered on rank(s) {} differ from rank 0's: every rank must register the same kinds",
        differing));
  }

  // 3. Run the queue, then help the busiest ranks.
  run_queued(execute, monitor, messenger);
  if (options_.stealing) {
    std::vector<QueueState> queues;
    for (const RankRound& rank : all) queues.push_back({rank.queued_cost, rank.stealable});
    steal(victims_for(rank_, queues), execute, messenger);
  }
  messenger.quiesce();  // nobody steals from a rank that has left the round

  // 4. Results go home.
  std::vector<std::vector<std::byte>> result_bytes(static_cast<std::size_t>(ranks_));
  for (std::size_t r = 0; r < results_.size(); ++r)
    if (!results_[r].empty()) {
      result_bytes[r] = encode(std::span<const TaskResult>(results_[r]));
      results_[r].clear();
    }
  for (const std::vector<std::byte>& received : mpi::alltoallv(comm, result_bytes)) {
    if (received.empty()) continue;
    for (TaskResult& result : decode_results(received)) {
      const auto found = futures_.find(result.id.value);
      if (found == futures_.end())
        throw InvalidArgument(fmt::format("rank {} received a result for task {}, which it has no future for", rank_,
                                          to_string(result.id)));
      detail::FutureState& state = *found->second;
      state.failed = result.failed;
      state.failed_on_rank = result.ran_on;
      state.error = std::move(result.error);
      state.value = std::move(result.value);
      state.ready = true;
      futures_.erase(found);
    }
  }
  const std::int64_t counts[2] = {ran_, static_cast<std::int64_t>(outbox_.size())};
  RoundOutcome outcome;
  outcome.ran_everywhere = mpi::allreduce_sum(comm, counts[0]);
  outcome.pending_everywhere = mpi::allreduce_sum(comm, counts[1]);
  outcome.failed_here = failed_;
  return outcome;
}

void Scheduler::run_queued(const Execute& execute, LoadMonitor& monitor, transport::Messenger& messenger) {
  while (!queue_.empty()) {
    TaskRecord task = std::move(queue_.front());
    queue_.pop_front();
    monitor.record_dequeued(task.cost_hint_s, task.objects());
    finish(execute(task));
    // Between tasks, answer thieves even when the tasks themselves never enter the runtime.
    messenger.serve_pending();
  }
}

void Scheduler::steal(const std::vector<int>& victims, const Execute& execute, transport::Messenger& messenger) {
  transport::Request request;
  request.operation = transport::Operation::steal_task;
  for (int victim : victims) {
    // Ask the same victim until it has nothing this rank can run: it gives from the back of its queue, the
    // tasks it would have reached last.
    for (;;) {
      const transport::Reply reply = messenger.call(victim, request);
      if (reply.status != transport::Status::ok || reply.payload.empty()) break;
      const TaskRecord task = decode_task(reply.payload);
      ++stats_.stolen;
      finish(execute(task));
    }
  }
}

Bytes Scheduler::give_to(int thief, const PlacementView& view, LoadMonitor& monitor) {
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (!stealable_by(shape_of(*it, it->id.submitter()), thief, view)) continue;
    TaskRecord task = std::move(*it);
    queue_.erase(std::next(it).base());
    monitor.record_dequeued(task.cost_hint_s, task.objects());
    ++stats_.given;
    return encode(task);
  }
  return {};
}

void Scheduler::finish(TaskResult result) {
  ++ran_;
  ++stats_.executed;
  if (result.failed) {
    ++stats_.failed;
    failed_.push_back(result);
  }
  const int submitter = result.id.submitter();
  if (submitter < 0 || submitter >= ranks_)
    throw InvalidArgument(fmt::format("task {} names submitter rank {} outside [0, {})", to_string(result.id), submitter,
                                      ranks_));
  results_[static_cast<std::size_t>(submitter)].push_back(std::move(result));
}

std::unordered_map<ObjectId, std::int64_t> Scheduler::take_readers() { return std::exchange(readers_, {}); }

}  // namespace penumbra::tasks
