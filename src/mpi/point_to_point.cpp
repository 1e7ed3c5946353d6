#include "mpi/point_to_point.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "mpi/check.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::mpi {
namespace {
int checked_count(std::size_t bytes) {
  if (bytes > kMaxMessageBytes)
    throw InvalidArgument("message of " + std::to_string(bytes) + " bytes exceeds the per-call limit of " +
                          std::to_string(kMaxMessageBytes) + " bytes");
  return static_cast<int>(bytes);
}
}  // namespace

Request::Request(Request&& other) noexcept : request_(std::exchange(other.request_, MPI_REQUEST_NULL)) {}

Request& Request::operator=(Request&& other) noexcept {
  if (this != &other) {
    Request old(std::move(*this));
    request_ = std::exchange(other.request_, MPI_REQUEST_NULL);
  }
  return *this;
}

Request::~Request() {
  if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);
}

bool Request::test() {
  if (request_ == MPI_REQUEST_NULL) return true;
  int done = 0;
  check(MPI_Test(&request_, &done, MPI_STATUS_IGNORE), "MPI_Test");
  return done != 0;
}

void Request::wait() {
  if (request_ == MPI_REQUEST_NULL) return;
  check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
}

PendingSend::PendingSend(const Communicator& comm, int destination, int tag, std::vector<std::byte> buffer)
    : buffer_(std::move(buffer)), request_(send_from(comm, destination, tag, buffer_)) {}

Request receive_into(const Communicator& comm, int source, int tag, std::span<std::byte> buffer) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Irecv(buffer.data(), checked_count(buffer.size()), MPI_BYTE, source, tag, comm.get(), &request),
        "MPI_Irecv");
  return Request(request);
}

Request send_from(const Communicator& comm, int destination, int tag, std::span<const std::byte> buffer) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Isend(buffer.data(), checked_count(buffer.size()), MPI_BYTE, destination, tag, comm.get(), &request),
        "MPI_Isend");
  return Request(request);
}

std::vector<Request> send_chunked(const Communicator& comm, int destination, int tag,
                                  std::span<const std::byte> buffer) {
  std::vector<Request> requests;
  for (std::size_t offset = 0; offset < buffer.size(); offset += kMaxMessageBytes)
    requests.push_back(
        send_from(comm, destination, tag, buffer.subspan(offset, std::min(kMaxMessageBytes, buffer.size() - offset))));
  return requests;
}

std::vector<Request> receive_chunked(const Communicator& comm, int source, int tag, std::span<std::byte> buffer) {
  std::vector<Request> requests;
  for (std::size_t offset = 0; offset < buffer.size(); offset += kMaxMessageBytes)
    requests.push_back(
        receive_into(comm, source, tag, buffer.subspan(offset, std::min(kMaxMessageBytes, buffer.size() - offset))));
  return requests;
}

Request start_barrier(const Communicator& comm) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(comm.get(), &request), "MPI_Ibarrier");
  return Request(request);
}

Request start_allreduce_sum(const Communicator& comm, const std::int64_t& in, std::int64_t& out) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Iallreduce(&in, &out, 1, MPI_INT64_T, MPI_SUM, comm.get(), &request), "MPI_Iallreduce");
  return Request(request);
}

std::optional<ReceivedMessage> try_receive(const Communicator& comm, int source, int tag) {
  int found = 0;
  MPI_Message message = MPI_MESSAGE_NULL;
  MPI_Status status;
  check(MPI_Improbe(source, tag, comm.get(), &found, &message, &status), "MPI_Improbe");
  if (!found) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  ReceivedMessage received{status.MPI_SOURCE, std::vector<std::byte>(static_cast<std::size_t>(count))};
  check(MPI_Mrecv(received.bytes.data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE), "MPI_Mrecv");
  return received;
}

}  // namespace penumbra::mpi
