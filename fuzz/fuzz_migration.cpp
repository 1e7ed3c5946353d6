// What a collective migration decodes (src/migration, include/penumbra/codec.hpp): the move records every
// rank receives in the allgather (check_global_plan, exchange_of) and the migrated object values a receiver
// turns back into user types (penumbra::decode<T>, Boost.Serialization or zero-copy).
// Input: selector byte, then for records a ranks byte and a rank byte and the records' bytes; for values
// the encoded value.
// Properties: a plan that passes check_global_plan has every record in range and once, and exchange_of gives
// each record to exactly its source and target; a value that decodes re-encodes to bytes that decode and
// re-encode to themselves.
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "migration/transfer_plan.hpp"
#include "penumbra/codec.hpp"

namespace {
constexpr const char* kHarness = "fuzz_migration";
using namespace penumbra;

// A trivially copyable user type: the zero-copy path.
struct Particle {
  double position[3];
  std::int32_t cell;
  bool operator==(const Particle&) const = default;
};

void records(std::span<const std::uint8_t> input) {
  if (input.size() < 2) return;
  const int ranks = 1 + input[0] % 16;
  const int rank = input[1] % ranks;
  std::vector<migration::MoveRecord> all((input.size() - 2) / sizeof(migration::MoveRecord));
  if (!all.empty()) std::memcpy(all.data(), input.data() + 2, all.size() * sizeof(migration::MoveRecord));
  migration::check_global_plan(all, ranks);
  const auto exchange = migration::exchange_of(all, rank, ranks);
  std::size_t sent = 0, received = 0;
  for (int peer = 0; peer < ranks; ++peer) {
    const auto p = static_cast<std::size_t>(peer);
    for (const auto& record : exchange.to_peer[p])
      fuzz::require(record.from == rank && record.to == peer, kHarness, "to_peer[p] holds rank -> p records");
    for (const auto& record : exchange.from_peer[p])
      fuzz::require(record.to == rank && record.from == peer, kHarness, "from_peer[p] holds p -> rank records");
    sent += exchange.to_peer[p].size();
    received += exchange.from_peer[p].size();
    (void)migration::total_name_bytes(exchange.from_peer[p]);
  }
  std::size_t mine_out = 0, mine_in = 0;
  for (const auto& record : all) {
    fuzz::require(record.from >= 0 && record.from < ranks && record.to >= 0 && record.to < ranks, kHarness,
                  "a checked plan has its ranks in range");
    mine_out += record.from == rank;
    mine_in += record.to == rank;
  }
  fuzz::require(sent == mine_out && received == mine_in, kHarness, "exchange_of keeps every record of this rank");
}

// Compared as bytes, not values: a decoded double may be a NaN, which equals nothing, itself included.
template <class T>
void value(std::span<const std::byte> bytes) {
  const Bytes once = encode(decode<T>(bytes));
  fuzz::require(encode(decode<T>(once)) == once, kHarness, "encode(decode(encode(decode(bytes)))) is stable");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto rest = std::span(data + 1, size - 1);
  const auto bytes = std::as_bytes(rest);
  fuzz::expect_typed_errors(kHarness, [&] {
    switch (data[0] % 5) {
      case 0: return records(rest);
      case 1: return value<std::string>(bytes);
      case 2: return value<std::vector<double>>(bytes);
      case 3: return value<std::map<std::string, std::vector<std::int32_t>>>(bytes);
      default: return value<Particle>(bytes);
    }
  });
  return 0;
}
