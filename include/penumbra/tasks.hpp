#pragma once
/// @file tasks.hpp
/// Tasks: named functions over declared objects. A task kind is registered on every rank at start-up (like
/// Charm++'s entry methods or HPX's actions) and submitted from any rank with serialized arguments, the
/// objects it reads and writes, and an optional cost hint. The runtime places it: a task that writes runs at
/// the owner of its write set; a read-only task runs where its reads are local (owned or shadowed), the
/// least loaded such rank first. Tasks run at `Runtime::step()` or `Runtime::run_until_idle()`; a task's
/// writes are committed only when it returns, so a task that throws leaves every object unchanged. See
/// docs/tasks.md.

#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "penumbra/codec.hpp"
#include "penumbra/detail/value.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra {

class Runtime;
template <class T>
struct Versioned;
struct ReadOptions;

/// A submitted task, unique in the job: the submitting rank and its sequence number there.
struct TaskId {
  std::uint64_t value = 0;

  static constexpr int kSequenceBits = 40;
  static TaskId make(int submitter, std::uint64_t sequence) noexcept {
    return {(static_cast<std::uint64_t>(submitter) << kSequenceBits) | sequence};
  }
  int submitter() const noexcept { return static_cast<int>(value >> kSequenceBits); }
  std::uint64_t sequence() const noexcept { return value & ((std::uint64_t{1} << kSequenceBits) - 1); }
  auto operator<=>(const TaskId&) const = default;
};

/// "3:17" (submitter:sequence).
std::string to_string(TaskId id);

/// What a task touches and what it is expected to cost.
struct TaskSpec {
  /// Objects the task reads. They may be served by shadows (within the staleness bound).
  std::vector<ObjectId> reads;
  /// Objects the task writes; it runs at the owner of the first one. A written object may be read too without
  /// being listed in `reads`.
  std::vector<ObjectId> writes;
  /// Expected run time in seconds (0: unknown). Queued tasks' hints are the load monitor's incoming work.
  double cost_hint_s = 0.0;

  /// Builders, for `TaskSpec{}.with_writes({block}).with_reads(halos).with_cost(2e-3)`.
  TaskSpec with_reads(std::vector<ObjectId> objects) && {
    reads = std::move(objects);
    return std::move(*this);
  }
  TaskSpec with_writes(std::vector<ObjectId> objects) && {
    writes = std::move(objects);
    return std::move(*this);
  }
  TaskSpec with_cost(double seconds) && {
    cost_hint_s = seconds;
    return std::move(*this);
  }
};

/// What the scheduler did on this rank since the runtime was built.
struct TaskStats {
  std::uint64_t submitted = 0;         ///< tasks this rank submitted
  std::uint64_t executed = 0;          ///< tasks run here (stolen ones included)
  std::uint64_t failed = 0;            ///< of those, tasks that threw
  std::uint64_t stolen = 0;            ///< tasks this rank took from another rank's queue
  std::uint64_t given = 0;             ///< tasks another rank took from this rank's queue
  std::uint64_t placed_remote = 0;     ///< tasks this rank submitted that were sent to another rank
  std::uint64_t read_only_on_copy = 0; ///< read-only tasks run here on shadows rather than at an owner
  std::uint64_t rounds = 0;            ///< scheduling rounds (one per step that ran tasks; more in run_until_idle)
};

namespace tasks {
class Scheduler;
struct TaskRecord;
}  // namespace tasks

class TaskContext;

namespace detail {

/// The state a Future shares with the scheduler that resolves it.
struct FutureState {
  TaskId id;
  std::string kind;
  bool ready = false;
  Bytes value;  ///< the encoded result
  bool failed = false;
  int failed_on_rank = -1;
  std::string error;  ///< the exception's message
};

/// A registered kind with its types erased: decodes the arguments, runs, encodes the result (empty for void).
using ErasedTask = std::function<Bytes(TaskContext&, std::span<const std::byte>)>;

/// The type tag of a task's result; 0 for void.
template <class R>
std::uint64_t result_tag() noexcept {
  if constexpr (std::is_void_v<R>)
    return 0;
  else
    return type_tag<R>();
}

}  // namespace detail

/// The result of a task, on the rank that submitted it. Resolved at the end of the `step()` or
/// `run_until_idle()` that ran the task; `get()` before that throws TaskPending (the task cannot run until
/// every rank reaches that collective, so waiting here would deadlock).
template <class R>
class Future {
 public:
  Future() = default;
  bool valid() const noexcept { return state_ != nullptr; }
  bool ready() const noexcept { return state_ && state_->ready; }
  TaskId id() const noexcept { return state_ ? state_->id : TaskId{}; }

  /// The result. TaskPending if not resolved yet, TaskFailed if the task threw, InvalidArgument if empty.
  R get() const {
    check_resolved();
    if constexpr (!std::is_void_v<R>) return decode<R>(state_->value);
  }

 private:
  friend class Runtime;
  explicit Future(std::shared_ptr<const detail::FutureState> state) : state_(std::move(state)) {}
  void check_resolved() const {
    if (!state_) throw InvalidArgument("Future::get() on an empty future (not returned by Runtime::submit)");
    if (!state_->ready)
      throw TaskPending("task " + to_string(state_->id) + " (" + state_->kind +
                        ") has not run yet: it runs at the next Runtime::step() or run_until_idle()");
    if (state_->failed) throw TaskFailed(state_->id.value, state_->kind, state_->failed_on_rank, state_->error);
  }
  std::shared_ptr<const detail::FutureState> state_;
};

/// A registered task kind, typed by its argument and result: what `Runtime::submit` takes.
template <class Args, class R>
struct TaskKind {
  std::string name;
};

/// What a running task sees: reads and writes of the objects it declared, and the runtime (to submit more
/// tasks, which run in the next round). Writes are staged and committed when the task returns.
class TaskContext {
 public:
  /// A declared object (read or write set): this task's own staged value if it wrote one (version 0: not
  /// committed yet), else the nearest copy, like Runtime::read. TaskAccessError for an undeclared object.
  template <Storable T>
  Versioned<T> read(ObjectRef ref);
  /// Stages a new value of an object in the write set (TaskAccessError otherwise); the last one staged is
  /// committed when the task returns, and none if it throws.
  template <Storable T>
  void write(ObjectRef ref, const T& value) {
    stage_write(ref.id(), detail::make_value(value));
  }
  template <Storable T>
  void write(ObjectRef ref, T&& value) {
    stage_write(ref.id(), detail::make_value(std::move(value)));
  }
  /// The runtime, to submit follow-up tasks or read objects outside the task's sets (not recommended: such
  /// reads are not declared, so placement cannot take them into account).
  Runtime& runtime() noexcept { return runtime_; }
  TaskId id() const noexcept;
  const std::string& kind() const noexcept;
  int rank() const noexcept;

  TaskContext(const TaskContext&) = delete;
  TaskContext& operator=(const TaskContext&) = delete;

 private:
  friend class Runtime;
  TaskContext(Runtime& runtime, const tasks::TaskRecord& task, int rank) : runtime_(runtime), task_(task), rank_(rank) {}
  // The staged value of `id` if this task wrote it; throws TaskAccessError if `id` is in no set.
  const detail::ValuePtr* staged_or_declared(ObjectId id) const;
  void stage_write(ObjectId id, detail::ValuePtr value);

  Runtime& runtime_;
  const tasks::TaskRecord& task_;
  int rank_;
  std::vector<std::pair<ObjectId, detail::ValuePtr>> staged_;  // in write order, one per object
};

}  // namespace penumbra
