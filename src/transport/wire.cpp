#include "transport/wire.hpp"

#include <fmt/format.h>

#include "core/byte_io.hpp"

namespace penumbra::transport {
namespace {

constexpr std::uint32_t kRequestMagic = 0x50524551;  // "PREQ"
constexpr std::uint32_t kReplyMagic = 0x50524550;    // "PREP"

template <class Enum>
Enum checked_enum(std::uint8_t raw, std::uint8_t first, std::uint8_t last, const char* what) {
  if (raw < first || raw > last) throw SerializationError(fmt::format("{}: invalid code {}", what, raw));
  return static_cast<Enum>(raw);
}

}  // namespace

Bytes encode(const Request& request) {
  ByteWriter out;
  out.put(kRequestMagic);
  out.put(static_cast<std::uint8_t>(request.operation));
  out.put(request.id.value);
  out.put(request.type_tag);
  out.put_text(request.name);
  out.put_blob(request.payload);
  return out.take();
}

Bytes encode(const Reply& reply) {
  ByteWriter out;
  out.put(kReplyMagic);
  out.put(static_cast<std::uint8_t>(reply.status));
  out.put(reply.version);
  out.put(reply.type_tag);
  out.put(reply.size_bytes);
  out.put_text(reply.text);
  out.put_blob(reply.payload);
  return out.take();
}

Request decode_request(std::span<const std::byte> bytes) {
  ByteReader in(bytes, "request");
  if (in.get<std::uint32_t>() != kRequestMagic) throw SerializationError("request: bad magic number");
  Request request;
  request.operation = checked_enum<Operation>(in.get<std::uint8_t>(), 1, static_cast<std::uint8_t>(kLastOperation),
                                              "request operation");
  request.id = ObjectId{in.get<std::uint64_t>()};
  request.type_tag = in.get<std::uint64_t>();
  request.name = in.get_text();
  request.payload = in.get_blob();
  in.expect_end();
  return request;
}

Reply decode_reply(std::span<const std::byte> bytes) {
  ByteReader in(bytes, "reply");
  if (in.get<std::uint32_t>() != kReplyMagic) throw SerializationError("reply: bad magic number");
  Reply reply;
  reply.status = checked_enum<Status>(in.get<std::uint8_t>(), 0, 8, "reply status");
  reply.version = in.get<Version>();
  reply.type_tag = in.get<std::uint64_t>();
  reply.size_bytes = in.get<std::uint64_t>();
  reply.text = in.get_text();
  reply.payload = in.get_blob();
  in.expect_end();
  return reply;
}

}  // namespace penumbra::transport
