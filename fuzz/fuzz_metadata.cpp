// The shadow metadata service's decoding (src/metadata): batches of updates as they arrive at a home
// (decode_batch) and records as a reader copies them out of a home's window (decode_record, scan_run).
// Input: ranks byte, max_locations byte, selector byte, then the bytes.
// Properties: a decoded batch respects its limits and decodes the same after re-encoding; a valid record
// re-encodes to a record that decodes to the same value.
#include <cstring>
#include <vector>

#include "fuzz_support.hpp"
#include "metadata/batch.hpp"
#include "metadata/record.hpp"

namespace {
constexpr const char* kHarness = "fuzz_metadata";
using namespace penumbra;

void batch(std::span<const std::byte> bytes, const metadata::BatchLimits& limits) {
  const auto updates = metadata::decode_batch(bytes, limits);
  for (const auto& update : updates) {
    const auto& entry = update.entry;
    fuzz::require(entry.version >= 1, kHarness, "versions start at 1");
    fuzz::require(entry.locations.size() <= static_cast<std::size_t>(limits.max_locations), kHarness,
                  "at most max_locations locations");
    if (update.kind == metadata::Update::Kind::upsert) {
      fuzz::require(entry.owner >= 0 && entry.owner < limits.ranks, kHarness, "owner in [0, ranks)");
      for (const auto& location : entry.locations)
        fuzz::require(location.rank >= 0 && location.rank < limits.ranks, kHarness, "location rank in [0, ranks)");
    }
  }
  fuzz::require(metadata::decode_batch(metadata::encode_batch(updates), limits) == updates, kHarness,
                "decode(encode(updates)) == updates");
}

void records(std::span<const std::byte> bytes, int max_locations) {
  const std::size_t size = metadata::record_bytes(max_locations);
  // decode_record's contract is one whole record (the service copies whole records out of its window).
  for (std::size_t at = 0; at + size <= bytes.size(); at += size) {
    const auto decoded = metadata::decode_record(bytes.subspan(at, size), max_locations);
    if (decoded.state != metadata::RecordState::valid) continue;
    std::vector<std::byte> again(size);
    metadata::encode_record(decoded.record, decoded.sequence, max_locations, again);
    const auto redecoded = metadata::decode_record(again, max_locations);
    fuzz::require(redecoded.state == metadata::RecordState::valid && redecoded.record == decoded.record, kHarness,
                  "a valid record survives encode_record(decode_record(bytes))");
  }
  std::uint64_t id = 0;
  if (bytes.size() >= 8) std::memcpy(&id, bytes.data(), 8);
  const auto scan = metadata::scan_run(bytes.first(bytes.size() / size * size), ObjectId{id}, max_locations);
  if (scan.outcome == metadata::ScanResult::Outcome::found)
    fuzz::require(scan.record.entry.id.value == id, kHarness, "scan_run finds the id it was asked for");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const metadata::BatchLimits limits{.ranks = 1 + data[0] % 64, .max_locations = data[1] % 9};
  const auto bytes = std::as_bytes(std::span(data + 3, size - 3));
  fuzz::expect_typed_errors(kHarness, [&] {
    if (data[2] % 2 == 0)
      batch(bytes, limits);
    else
      records(bytes, limits.max_locations);
  });
  return 0;
}
