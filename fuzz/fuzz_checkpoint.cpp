// The checkpoint format (src/checkpoint/format.hpp): data files and manifests as a restore reads them from disk.
// Input: one selector byte (bit 0: data file or manifest; bit 1: recompute the trailing checksum first, so that
// mutations reach the decoder behind it instead of stopping at the checksum), then the file's bytes.
// Property: a file that decodes re-encodes to exactly the same bytes.
#include <algorithm>
#include <cstring>

#include "checkpoint/format.hpp"
#include "core/checksum.hpp"
#include "fuzz_support.hpp"

namespace {
constexpr const char* kHarness = "fuzz_checkpoint";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto* first = reinterpret_cast<const std::byte*>(data);
  penumbra::Bytes file(first + 1, first + size);
  if ((data[0] & 2) != 0 && file.size() >= sizeof(std::uint64_t)) {
    const std::size_t body = file.size() - sizeof(std::uint64_t);
    const std::uint64_t sum = penumbra::checksum64(std::span(file).first(body));
    std::memcpy(file.data() + body, &sum, sizeof sum);
  }
  using namespace penumbra::checkpoint;
  penumbra::fuzz::expect_typed_errors(kHarness, [&] {
    if ((data[0] & 1) == 0) {
      const DataFile decoded = decode_data_file(file, "fuzz.pck");
      penumbra::fuzz::require_same_bytes(encode_data_file(decoded.token, decoded.rank, decoded.records), file, kHarness);
    } else {
      penumbra::fuzz::require_same_bytes(encode_manifest(decode_manifest(file, "MANIFEST")), file, kHarness);
    }
  });
  return 0;
}
