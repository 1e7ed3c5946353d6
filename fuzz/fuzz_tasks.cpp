// The task scheduler's messages (src/tasks/record.hpp): task batches a rank receives in a round, a task a thief
// receives, results a submitter receives. Input: one selector byte (0: batch, 1: task, 2: results), then the
// message bytes. Property: a message that decodes re-encodes to exactly the same bytes (the layout has one form).
#include <algorithm>

#include "fuzz_support.hpp"
#include "tasks/record.hpp"

namespace {
constexpr const char* kHarness = "fuzz_tasks";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto bytes = std::as_bytes(std::span(data + 1, size - 1));
  using namespace penumbra::tasks;
  penumbra::fuzz::expect_typed_errors(kHarness, [&] {
    switch (data[0] % 3) {
      case 0:
        penumbra::fuzz::require_same_bytes(encode(decode_task_batch(bytes)), bytes, kHarness);
        break;
      case 1:
        penumbra::fuzz::require_same_bytes(encode(decode_task(bytes)), bytes, kHarness);
        break;
      default: {
        const std::vector<TaskResult> results = decode_results(bytes);
        penumbra::fuzz::require_same_bytes(encode(std::span<const TaskResult>(results)), bytes, kHarness);
      }
    }
  });
  return 0;
}
