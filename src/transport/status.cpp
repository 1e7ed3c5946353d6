#include "transport/status.hpp"

#include <fmt/format.h>

#include "penumbra/errors.hpp"

namespace penumbra::transport {

Reply failure_reply(std::exception_ptr failure) {
  Reply reply;
  try {
    std::rethrow_exception(failure);
  } catch (const UnknownObject& e) {
    reply.status = Status::unknown_object, reply.text = e.what();
  } catch (const WrongType& e) {
    reply.status = Status::wrong_type, reply.text = e.what();
  } catch (const DuplicateObject& e) {
    reply.status = Status::duplicate_object, reply.text = e.what();
  } catch (const ObjectErased& e) {
    reply.status = Status::object_erased, reply.text = e.what();
  } catch (const NameCollision& e) {
    reply.status = Status::name_collision, reply.text = e.what();
  } catch (const SerializationError& e) {
    reply.status = Status::serialization_error, reply.text = e.what();
  } catch (const InvalidArgument& e) {
    reply.status = Status::invalid_argument, reply.text = e.what();
  } catch (const std::exception& e) {
    reply.status = Status::other_error, reply.text = e.what();
  } catch (...) {
    reply.status = Status::other_error, reply.text = "unknown exception";
  }
  return reply;
}

void throw_failure(const Reply& reply, ObjectId id, int owner) {
  const std::string text = fmt::format("{} (on owner rank {})", reply.text, owner);
  switch (reply.status) {
    case Status::unknown_object:
      throw UnknownObject(id.value, text);
    case Status::wrong_type:
      throw WrongType(id.value, text);
    case Status::duplicate_object:
      throw DuplicateObject(id.value, text);
    case Status::object_erased:
      throw ObjectErased(id.value, text);
    case Status::name_collision:
      throw NameCollision(id.value, text);
    case Status::serialization_error:
      throw SerializationError(text);
    case Status::invalid_argument:
      throw InvalidArgument(text);
    case Status::ok:
    case Status::other_error:
      break;
  }
  throw RemoteError(owner, reply.text);
}

}  // namespace penumbra::transport
