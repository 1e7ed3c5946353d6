#pragma once
// A task as it travels between ranks (to the rank that runs it, or to a thief), its result on the way back to
// the submitter, and their byte layout. Pure: encode/decode only; decoding checks every length, so a corrupted
// or hostile buffer is a SerializationError, never an out-of-bounds read or a huge allocation.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "penumbra/codec.hpp"
#include "penumbra/object_id.hpp"
#include "penumbra/tasks.hpp"

namespace penumbra::tasks {

struct TaskRecord {
  TaskId id;
  std::string kind;
  std::vector<ObjectId> reads;
  std::vector<ObjectId> writes;
  double cost_hint_s = 0.0;
  Bytes args;

  bool read_only() const noexcept { return writes.empty(); }
  /// Whether `object` is in the read set or the write set.
  bool declares(ObjectId object) const noexcept;
  bool writes_to(ObjectId object) const noexcept;
  /// The write set, then the read set: the objects the task's queued work is charged to.
  std::vector<ObjectId> objects() const;
};

/// What came of a task, for its submitter.
struct TaskResult {
  TaskId id;
  std::string kind;
  int ran_on = -1;
  bool failed = false;
  std::string error;  ///< the exception's type and message, when failed
  Bytes value;        ///< the encoded result (empty for void kinds)
};

/// The tasks one rank sends another in a round, and how many of them read each object the receiver owns (the
/// "dependents" that raise a shadow's value).
struct TaskBatch {
  std::vector<TaskRecord> tasks;
  std::vector<std::pair<ObjectId, std::uint32_t>> readers;
};

Bytes encode(const TaskBatch& batch);
TaskBatch decode_task_batch(std::span<const std::byte> bytes);
Bytes encode(const TaskRecord& task);
TaskRecord decode_task(std::span<const std::byte> bytes);
Bytes encode(std::span<const TaskResult> results);
std::vector<TaskResult> decode_results(std::span<const std::byte> bytes);

}  // namespace penumbra::tasks
