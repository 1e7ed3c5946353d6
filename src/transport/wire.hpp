#pragma once
// The messages ranks send each other to act on objects they do not own, and their byte layout. Pure:
// encode/decode only. Decoding checks every length, so a corrupted or hostile buffer is a
// SerializationError, never an out-of-bounds read.
#include <cstdint>
#include <string>

#include "penumbra/codec.hpp"
#include "penumbra/object_id.hpp"

namespace penumbra::transport {

enum class Operation : std::uint8_t {
  create = 1,
  read,
  write,
  erase,
  info,
  /// A batch of shadow-metadata updates for the shards the receiving rank homes; the payload is
  /// metadata::encode_batch's bytes, which the handler gives to MetadataService::serve (or apply_batch).
  metadata_update,
  /// An idle rank asks for a queued read-only task it can run (tasks/scheduler.hpp). The reply's payload is
  /// the encoded task, or empty when the queue has none to give.
  steal_task,
};
/// The highest operation code decode_request accepts.
inline constexpr Operation kLastOperation = Operation::steal_task;

/// Outcome of a remote operation; each failure maps to one public exception type.
enum class Status : std::uint8_t {
  ok = 0,
  unknown_object,
  wrong_type,
  duplicate_object,
  object_erased,
  name_collision,
  serialization_error,
  invalid_argument,
  other_error,
};

struct Request {
  Operation operation = Operation::read;
  ObjectId id;
  std::string name;            ///< "" when the caller used an id
  std::uint64_t type_tag = 0;  ///< expected type (read) or the payload's type (create, write); 0 = any
  Bytes payload;               ///< the value, for create and write
};

struct Reply {
  Status status = Status::ok;
  Version version = 0;
  std::uint64_t type_tag = 0;
  std::uint64_t size_bytes = 0;
  std::string text;  ///< error message, or the object's name for `info`
  Bytes payload;     ///< the value, for read
};

Bytes encode(const Request& request);
Bytes encode(const Reply& reply);
Request decode_request(std::span<const std::byte> bytes);
Reply decode_reply(std::span<const std::byte> bytes);

}  // namespace penumbra::transport
