#pragma once
// Requests to the owner of an object and their replies, two-sided over a communicator of their own. The
// owner's CPU must take part, so requests are served whenever the runtime is entered (any call, progress(),
// or while waiting for anything). Calls are synchronous: a rank has at most one request in flight, which is
// what lets a barrier prove that no request is in flight (see quiesce()).
// Every request rings the target's doorbell (doorbell.hpp), so a rank learns that requests wait for it with a
// load of its own memory instead of a probe that yields the core.
#include <cstdint>
#include <deque>
#include <functional>

#include "mpi/communicator.hpp"
#include "mpi/point_to_point.hpp"
#include "transport/doorbell.hpp"
#include "transport/wire.hpp"

namespace penumbra::transport {

class Messenger {
 public:
  /// Serves one request from `source`; exceptions it throws are sent back as a failure reply.
  using Handler = std::function<Reply(int source, Request request)>;

  /// Collective over `comm` (the doorbell's window).
  Messenger(mpi::Communicator comm, Handler handler);
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  /// Sends `request` to `target` (not this rank) and returns its reply, serving incoming requests meanwhile.
  Reply call(int target, const Request& request);
  /// Serves every request that has arrived; returns how many.
  std::size_t serve_pending();
  /// Requests that rang this rank's doorbell and have not been taken yet (0 with the doorbell off). A load of
  /// local memory: cheap enough for every object call.
  std::uint32_t requests_waiting() const noexcept;
  /// Serves the requests that rang, without the empty probe that ends serve_pending(); returns how many.
  std::size_t serve_rung();
  /// Whether requests ring their targets and waits serve on rings (true by default). Ranks may differ; with it
  /// off a rank finds requests by probing only, as before the doorbell.
  void use_doorbell(bool on) noexcept { doorbell_on_ = on; }
  /// Waits for `request` (e.g. a non-blocking collective) while serving incoming requests.
  void wait_serving(mpi::Request& request);
  /// Collective: returns when every rank has entered it, serving requests until then. Since calls are
  /// synchronous, afterwards no request is in flight anywhere.
  void quiesce();

  const mpi::Communicator& communicator() const noexcept { return comm_; }

 private:
  void reap_completed_sends();
  // Serves arrived requests until `limit` were served or a probe finds none.
  std::size_t serve_up_to(std::uint32_t limit);
  // One round of a wait: serves what rang (or, every few rounds and with the doorbell off, whatever arrived)
  // and yields the core when nothing was served.
  void serve_while_waiting(std::uint32_t& rounds);
  mpi::Communicator comm_;
  Handler handler_;
  Doorbell doorbell_;
  bool doorbell_on_ = true;
  std::uint32_t taken_ = 0;  // requests received, modulo 2^32, against the doorbell's rings
  std::deque<mpi::PendingSend> replies_in_flight_;
};

}  // namespace penumbra::transport
