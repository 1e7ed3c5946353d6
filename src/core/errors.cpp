#include "penumbra/errors.hpp"

#include <fmt/format.h>

namespace penumbra {

MpiError::MpiError(std::string call, int code, std::string mpi_message)
    : Error(fmt::format("{} failed with MPI error {}: {}", call, code, mpi_message)),
      call_(std::move(call)),
      code_(code),
      mpi_message_(std::move(mpi_message)) {}

ObjectError::ObjectError(std::uint64_t id, const std::string& message) : Error(message), id_(id) {}

RemoteError::RemoteError(int failing_rank, const std::string& message)
    : Error(fmt::format("rank {} failed: {}", failing_rank, message)), failing_rank_(failing_rank) {}

}  // namespace penumbra
