#pragma once
// Exceptions across ranks: an owner turns the exception it raised into a Status for the reply, and the
// requester throws the same public exception type again. Pure.
#include <exception>
#include <string>

#include "transport/wire.hpp"

namespace penumbra::transport {

/// The status and message of the exception in flight (call inside a catch block or with its pointer).
Reply failure_reply(std::exception_ptr failure);

/// Throws the public exception that `reply.status` stands for, with `reply.text` and the owner's rank.
[[noreturn]] void throw_failure(const Reply& reply, ObjectId id, int owner);

}  // namespace penumbra::transport
