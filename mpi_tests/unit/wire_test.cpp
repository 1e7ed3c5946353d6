#include "transport/wire.hpp"

#include <gtest/gtest.h>

#include "penumbra/errors.hpp"
#include "transport/status.hpp"

namespace penumbra::transport {
namespace {

TEST(Wire, RequestRoundTrip) {
  const Request request{Operation::write, ObjectId{99}, "grid", 1234, Bytes{std::byte{1}, std::byte{2}}};
  const Request back = decode_request(encode(request));
  EXPECT_EQ(back.operation, Operation::write);
  EXPECT_EQ(back.id, ObjectId{99});
  EXPECT_EQ(back.name, "grid");
  EXPECT_EQ(back.type_tag, 1234U);
  EXPECT_EQ(back.payload, request.payload);
}

TEST(Wire, ReplyRoundTrip) {
  const Reply reply{Status::object_erased, 17, 5, 64, "gone", Bytes(3, std::byte{9})};
  const Reply back = decode_reply(encode(reply));
  EXPECT_EQ(back.status, Status::object_erased);
  EXPECT_EQ(back.version, 17U);
  EXPECT_EQ(back.size_bytes, 64U);
  EXPECT_EQ(back.text, "gone");
  EXPECT_EQ(back.payload, reply.payload);
}

TEST(Wire, EveryTruncationIsRejected) {
  const Bytes full = encode(Request{Operation::create, ObjectId{1}, "name", 2, Bytes(10, std::byte{3})});
  for (std::size_t size = 0; size < full.size(); ++size)
    EXPECT_THROW(decode_request(std::span(full.data(), size)), SerializationError) << size;
  Bytes longer = full;
  longer.push_back(std::byte{0});
  EXPECT_THROW(decode_request(longer), SerializationError);
}

TEST(Wire, HugeLengthFieldIsRejectedNotAllocated) {
  Bytes bytes = encode(Request{Operation::read, ObjectId{1}, "", 0, {}});
  // The name length field follows magic (4), operation (1), id (8), type tag (8).
  const std::uint64_t huge = ~std::uint64_t{0};
  std::memcpy(bytes.data() + 21, &huge, sizeof huge);
  EXPECT_THROW(decode_request(bytes), SerializationError);
}

TEST(Wire, BadOperationOrStatusIsRejected) {
  Bytes request = encode(Request{});
  request[4] = std::byte{0};
  EXPECT_THROW(decode_request(request), SerializationError);
  request[4] = std::byte{static_cast<std::uint8_t>(kLastOperation) + 1};  // one past the last operation
  EXPECT_THROW(decode_request(request), SerializationError);
  request[4] = std::byte{6};
  EXPECT_EQ(decode_request(request).operation, Operation::metadata_update);
  request[4] = std::byte{7};
  EXPECT_EQ(decode_request(request).operation, Operation::steal_task);
  Bytes reply = encode(Reply{});
  reply[4] = std::byte{200};
  EXPECT_THROW(decode_reply(reply), SerializationError);
}

TEST(Status, OwnerErrorsComeBackAsTheSameType) {
  const auto round_trip = [](auto error) {
    const Reply reply = failure_reply(std::make_exception_ptr(error));
    throw_failure(reply, ObjectId{5}, 3);
  };
  EXPECT_THROW(round_trip(UnknownObject(5, "x")), UnknownObject);
  EXPECT_THROW(round_trip(WrongType(5, "x")), WrongType);
  EXPECT_THROW(round_trip(DuplicateObject(5, "x")), DuplicateObject);
  EXPECT_THROW(round_trip(ObjectErased(5, "x")), ObjectErased);
  EXPECT_THROW(round_trip(NameCollision(5, "x")), NameCollision);
  EXPECT_THROW(round_trip(SerializationError("x")), SerializationError);
  EXPECT_THROW(round_trip(std::runtime_error("x")), RemoteError);
}

}  // namespace
}  // namespace penumbra::transport
