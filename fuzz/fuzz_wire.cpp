// The transport's request and reply decoding (src/transport/wire.hpp): what a rank does with the bytes
// another rank sent it. Input: one selector byte (even: request, odd: reply), then the message bytes.
// Property: a message that decodes re-encodes to exactly the same bytes (the layout has one form).
#include <algorithm>

#include "fuzz_support.hpp"
#include "transport/wire.hpp"

namespace {
constexpr const char* kHarness = "fuzz_wire";

template <class Message>
void round_trip(const Message& message, std::span<const std::byte> bytes) {
  penumbra::fuzz::require_same_bytes(penumbra::transport::encode(message), bytes, kHarness);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto bytes = std::as_bytes(std::span(data + 1, size - 1));
  penumbra::fuzz::expect_typed_errors(kHarness, [&] {
    if (data[0] % 2 == 0)
      round_trip(penumbra::transport::decode_request(bytes), bytes);
    else
      round_trip(penumbra::transport::decode_reply(bytes), bytes);
  });
  return 0;
}
