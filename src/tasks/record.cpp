#include "tasks/record.hpp"

#include <algorithm>
#include <cmath>

#include "core/byte_io.hpp"

namespace penumbra::tasks {
namespace {

constexpr std::uint32_t kBatchMagic = 0x5054424b;   // "PTBK"
constexpr std::uint32_t kTaskMagic = 0x5054534b;    // "PTSK"
constexpr std::uint32_t kResultMagic = 0x50545253;  // "PTRS"

void put_ids(ByteWriter& out, const std::vector<ObjectId>& ids) {
  out.put<std::uint64_t>(ids.size());
  for (ObjectId id : ids) out.put(id.value);
}

// A count read from the message, refused unless `count` items of at least `min_bytes` each fit in what is left:
// checked by division, because a hostile count times the item size can wrap around to a small number.
std::uint64_t get_count(ByteReader& in, std::uint64_t min_bytes, const char* what) {
  const auto count = in.get<std::uint64_t>();
  if (count > in.remaining() / min_bytes)
    throw SerializationError(fmt::format("{}: {} {} announced, only {} bytes left", in.what(), count, what,
                                         in.remaining()));
  return count;
}

std::vector<ObjectId> get_ids(ByteReader& in) {
  const auto count = get_count(in, sizeof(std::uint64_t), "object ids");
  std::vector<ObjectId> ids;
  ids.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) ids.push_back(ObjectId{in.get<std::uint64_t>()});
  return ids;
}

void put_task(ByteWriter& out, const TaskRecord& task) {
  out.put(task.id.value);
  out.put_text(task.kind);
  put_ids(out, task.reads);
  put_ids(out, task.writes);
  out.put(task.cost_hint_s);
  out.put_blob(task.args);
}

TaskRecord get_task(ByteReader& in) {
  TaskRecord task;
  task.id = TaskId{in.get<std::uint64_t>()};
  task.kind = in.get_text();
  task.reads = get_ids(in);
  task.writes = get_ids(in);
  task.cost_hint_s = in.get<double>();
  if (!std::isfinite(task.cost_hint_s) || task.cost_hint_s < 0.0)
    throw SerializationError(fmt::format("{}: task {} has cost hint {}", in.what(), to_string(task.id), task.cost_hint_s));
  task.args = in.get_blob();
  return task;
}

// Smallest encoded task: id, three lengths (kind, reads, writes), cost, args length.
constexpr std::uint64_t kMinTaskBytes = 8 + 8 + 8 + 8 + 8 + 8;
constexpr std::uint64_t kMinResultBytes = 8 + 8 + 4 + 1 + 8 + 8;

}  // namespace

bool TaskRecord::declares(ObjectId object) const noexcept {
  return std::find(reads.begin(), reads.end(), object) != reads.end() || writes_to(object);
}

bool TaskRecord::writes_to(ObjectId object) const noexcept {
  return std::find(writes.begin(), writes.end(), object) != writes.end();
}

Bytes encode(const TaskBatch& batch) {
  ByteWriter out;
  out.put(kBatchMagic);
  out.put<std::uint64_t>(batch.tasks.size());
  for (const TaskRecord& task : batch.tasks) put_task(out, task);
  out.put<std::uint64_t>(batch.readers.size());
  for (const auto& [id, count] : batch.readers) {
    out.put(id.value);
    out.put(count);
  }
  return out.take();
}

TaskBatch decode_task_batch(std::span<const std::byte> bytes) {
  ByteReader in(bytes, "task batch");
  if (in.get<std::uint32_t>() != kBatchMagic) throw SerializationError("task batch: bad magic number");
  TaskBatch batch;
  const auto tasks = get_count(in, kMinTaskBytes, "tasks");
  batch.tasks.reserve(tasks);
  for (std::uint64_t i = 0; i < tasks; ++i) batch.tasks.push_back(get_task(in));
  const auto readers = get_count(in, sizeof(std::uint64_t) + sizeof(std::uint32_t), "reader counts");
  batch.readers.reserve(readers);
  for (std::uint64_t i = 0; i < readers; ++i) {
    const ObjectId id{in.get<std::uint64_t>()};
    batch.readers.emplace_back(id, in.get<std::uint32_t>());
  }
  in.expect_end();
  return batch;
}

Bytes encode(const TaskRecord& task) {
  ByteWriter out;
  out.put(kTaskMagic);
  put_task(out, task);
  return out.take();
}

TaskRecord decode_task(std::span<const std::byte> bytes) {
  ByteReader in(bytes, "task");
  if (in.get<std::uint32_t>() != kTaskMagic) throw SerializationError("task: bad magic number");
  TaskRecord task = get_task(in);
  in.expect_end();
  return task;
}

Bytes encode(std::span<const TaskResult> results) {
  ByteWriter out;
  out.put(kResultMagic);
  out.put<std::uint64_t>(results.size());
  for (const TaskResult& result : results) {
    out.put(result.id.value);
    out.put_text(result.kind);
    out.put<std::int32_t>(result.ran_on);
    out.put<std::uint8_t>(result.failed ? 1 : 0);
    out.put_text(result.error);
    out.put_blob(result.value);
  }
  return out.take();
}

std::vector<TaskResult> decode_results(std::span<const std::byte> bytes) {
  ByteReader in(bytes, "task results");
  if (in.get<std::uint32_t>() != kResultMagic) throw SerializationError("task results: bad magic number");
  const auto count = get_count(in, kMinResultBytes, "results");
  std::vector<TaskResult> results;
  results.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    TaskResult result;
    result.id = TaskId{in.get<std::uint64_t>()};
    result.kind = in.get_text();
    result.ran_on = in.get<std::int32_t>();
    const auto failed = in.get<std::uint8_t>();
    if (failed > 1) throw SerializationError(fmt::format("task results: invalid failure flag {}", failed));
    result.failed = failed == 1;
    result.error = in.get_text();
    result.value = in.get_blob();
    results.push_back(std::move(result));
  }
  in.expect_end();
  return results;
}

}  // namespace penumbra::tasks
