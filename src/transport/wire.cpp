#include "transport/wire.hpp"

#include <fmt/format.h>

#include <cstring>

namespace penumbra::transport {
namespace {

constexpr std::uint32_t kRequestMagic = 0x50524551;  // "PREQ"
constexpr std::uint32_t kReplyMagic = 0x50524550;    // "PREP"

class Writer {
 public:
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& value) {
    const auto* first = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), first, first + sizeof(T));
  }
  void put_blob(std::span<const std::byte> blob) {
    put<std::uint64_t>(blob.size());
    bytes_.insert(bytes_.end(), blob.begin(), blob.end());
  }
  void put_text(const std::string& text) { put_blob(std::as_bytes(std::span(text.data(), text.size()))); }
  Bytes take() { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

class Reader {
 public:
  Reader(std::span<const std::byte> bytes, const char* what) : bytes_(bytes), what_(what) {}
  template <class T>
  requires std::is_trivially_copyable_v<T> T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  Bytes get_blob() {
    const auto size = get<std::uint64_t>();
    need(size);
    Bytes blob(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
               bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + size));
    offset_ += size;
    return blob;
  }
  std::string get_text() {
    Bytes blob = get_blob();
    return std::string(reinterpret_cast<const char*>(blob.data()), blob.size());
  }
  void expect_end() const {
    if (offset_ != bytes_.size())
      throw SerializationError(fmt::format("{}: {} trailing bytes after the message", what_, bytes_.size() - offset_));
  }

 private:
  void need(std::uint64_t size) const {
    if (size > bytes_.size() - offset_)
      throw SerializationError(fmt::format("{}: truncated message ({} bytes, needed {} more at offset {})", what_,
                                           bytes_.size(), size, offset_));
  }
  std::span<const std::byte> bytes_;
  std::size_t offset_ = 0;
  const char* what_;
};

template <class Enum>
Enum checked_enum(std::uint8_t raw, std::uint8_t first, std::uint8_t last, const char* what) {
  if (raw < first || raw > last) throw SerializationError(fmt::format("{}: invalid code {}", what, raw));
  return static_cast<Enum>(raw);
}

}  // namespace

Bytes encode(const Request& request) {
  Writer out;
  out.put(kRequestMagic);
  out.put(static_cast<std::uint8_t>(request.operation));
  out.put(request.id.value);
  out.put(request.type_tag);
  out.put_text(request.name);
  out.put_blob(request.payload);
  return out.take();
}

Bytes encode(const Reply& reply) {
  Writer out;
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
  Reader in(bytes, "request");
  if (in.get<std::uint32_t>() != kRequestMagic) throw SerializationError("request: bad magic number");
  Request request;
  request.operation = checked_enum<Operation>(in.get<std::uint8_t>(), 1, 5, "request operation");
  request.id = ObjectId{in.get<std::uint64_t>()};
  request.type_tag = in.get<std::uint64_t>();
  request.name = in.get_text();
  request.payload = in.get_blob();
  in.expect_end();
  return request;
}

Reply decode_reply(std::span<const std::byte> bytes) {
  Reader in(bytes, "reply");
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
