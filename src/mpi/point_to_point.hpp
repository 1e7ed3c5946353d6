#pragma once
// Non-blocking point-to-point and barrier operations with owned requests. A request still pending when
// its owner is destroyed is waited for (never leaked, never freed while MPI may still write its buffer).
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mpi/communicator.hpp"

namespace penumbra::mpi {

/// Largest message sent in one MPI call (MPI counts are int); larger transfers are split (send_chunked).
inline constexpr std::size_t kMaxMessageBytes = std::size_t{1} << 30;

/// Owns one MPI_Request.
class Request {
 public:
  Request() = default;
  explicit Request(MPI_Request request) noexcept : request_(request) {}
  Request(Request&& other) noexcept;
  Request& operator=(Request&& other) noexcept;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  ~Request();

  /// True once complete (MPI_Test); an empty Request is complete.
  bool test();
  void wait();

 private:
  MPI_Request request_ = MPI_REQUEST_NULL;
};

/// A send that owns its buffer until MPI is done with it.
class PendingSend {
 public:
  PendingSend(const Communicator& comm, int destination, int tag, std::vector<std::byte> buffer);
  bool test() { return request_.test(); }
  void wait() { request_.wait(); }

 private:
  std::vector<std::byte> buffer_;  // declared before request_: destroyed after the request completes
  Request request_;
};

/// MPI_Irecv into `buffer` (which must outlive the request).
Request receive_into(const Communicator& comm, int source, int tag, std::span<std::byte> buffer);
/// MPI_Isend of `buffer` (which must outlive the request).
Request send_from(const Communicator& comm, int destination, int tag, std::span<const std::byte> buffer);
/// `buffer` as consecutive messages of at most kMaxMessageBytes each (MPI counts are int); the receiver posts
/// receive_chunked with the same total size. Messages between one pair on one tag arrive in order.
std::vector<Request> send_chunked(const Communicator& comm, int destination, int tag,
                                  std::span<const std::byte> buffer);
std::vector<Request> receive_chunked(const Communicator& comm, int source, int tag, std::span<std::byte> buffer);
/// MPI_Ibarrier.
Request start_barrier(const Communicator& comm);
/// MPI_Iallreduce (sum) of one integer; `in` and `out` must outlive the request.
Request start_allreduce_sum(const Communicator& comm, const std::int64_t& in, std::int64_t& out);

struct ReceivedMessage {
  int source = 0;
  std::vector<std::byte> bytes;
};

/// Receives one message from `source` (or MPI_ANY_SOURCE) with `tag` if one has arrived (MPI_Improbe +
/// MPI_Mrecv, so a concurrent thread cannot steal the probed message).
std::optional<ReceivedMessage> try_receive(const Communicator& comm, int source, int tag);

}  // namespace penumbra::mpi
