#pragma once
// Requests to the owner of an object and their replies, two-sided over a communicator of their own. The
// owner's CPU must take part, so requests are served whenever the runtime is entered (any call, progress(),
// or while waiting for anything). Calls are synchronous: a rank has at most one request in flight, which is
// what lets a barrier prove that no request is in flight (see quiesce()).
#include <deque>
#include <functional>

#include "mpi/communicator.hpp"
#include "mpi/point_to_point.hpp"
#include "transport/wire.hpp"

namespace penumbra::transport {

class Messenger {
 public:
  /// Serves one request from `source`; exceptions it throws are sent back as a failure reply.
  using Handler = std::function<Reply(int source, Request request)>;

  Messenger(mpi::Communicator comm, Handler handler);
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  /// Sends `request` to `target` (not this rank) and returns its reply, serving incoming requests meanwhile.
  Reply call(int target, const Request& request);
  /// Serves every request that has arrived; returns how many.
  std::size_t serve_pending();
  /// Waits for `request` (e.g. a non-blocking collective) while serving incoming requests.
  void wait_serving(mpi::Request& request);
  /// Collective: returns when every rank has entered it, serving requests until then. Since calls are
  /// synchronous, afterwards no request is in flight anywhere.
  void quiesce();

  const mpi::Communicator& communicator() const noexcept { return comm_; }

 private:
  void reap_completed_sends();
  mpi::Communicator comm_;
  Handler handler_;
  std::deque<mpi::PendingSend> replies_in_flight_;
};

}  // namespace penumbra::transport
