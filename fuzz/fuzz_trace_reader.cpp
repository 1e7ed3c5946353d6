// The epoch trace reader (src/trace, penumbra::trace::read_trace): what penumbra-prof does with a trace file
// that may be truncated, hand-edited or not a trace at all. Input: the file's bytes.
// Property: a trace that reads has one rank entry per header rank in every epoch.
#include "fuzz_support.hpp"
#include "penumbra/trace.hpp"

namespace {
constexpr const char* kHarness = "fuzz_trace_reader";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static penumbra::fuzz::MemoryFile file;
  const std::string& path = file.write(std::span(data, size));
  penumbra::fuzz::expect_typed_errors(kHarness, [&] {
    const auto trace = penumbra::trace::read_trace(path);
    for (const auto& epoch : trace.epochs) {
      penumbra::fuzz::require(epoch.ranks.size() == static_cast<std::size_t>(trace.header.ranks), kHarness,
                              "one rank record per rank in every epoch");
      penumbra::fuzz::require(epoch.input.ranks.size() == static_cast<std::size_t>(trace.header.ranks), kHarness,
                              "one planner rank state per rank in every epoch");
    }
  });
  return 0;
}
