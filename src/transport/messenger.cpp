#include "transport/messenger.hpp"

#include <limits>
#include <thread>

#include "penumbra/errors.hpp"
#include "transport/status.hpp"

namespace penumbra::transport {
namespace {
constexpr int kRequestTag = 1;
constexpr int kReplyTag = 2;

// Polling loops yield between empty polls: our tests run 8 ranks on 2 cores, where a spinning rank steals
// the CPU from the rank it is waiting for (ENVIRONMENT.md, yield_when_idle).
void idle() { std::this_thread::yield(); }

// While waiting with the doorbell on, a probe for requests that did not ring is made once every this many
// rounds: the insurance for a ring that lands late (an MPI whose accumulate needs the target's progress).
constexpr std::uint32_t kProbeEveryRounds = 16;
}  // namespace

Messenger::Messenger(mpi::Communicator comm, Handler handler)
    : comm_(std::move(comm)), handler_(std::move(handler)), doorbell_(comm_) {}

Reply Messenger::call(int target, const Request& request) {
  if (target == comm_.rank() || target < 0 || target >= comm_.size())
    throw InvalidArgument("Messenger::call: target rank " + std::to_string(target) + " (expected another rank in [0, " +
                          std::to_string(comm_.size()) + "))");
  mpi::PendingSend send(comm_, target, kRequestTag, encode(request));
  // After the send is posted, so that the target's probe finds the request once it sees the ring.
  if (doorbell_on_) doorbell_.ring(target);
  std::uint32_t rounds = 0;
  while (true) {
    if (auto message = mpi::try_receive(comm_, target, kReplyTag)) {
      send.wait();
      return decode_reply(message->bytes);
    }
    serve_while_waiting(rounds);
  }
}

std::size_t Messenger::serve_pending() { return serve_up_to(std::numeric_limits<std::uint32_t>::max()); }

std::uint32_t Messenger::requests_waiting() const noexcept {
  return doorbell_on_ ? unanswered_rings(doorbell_.rings(), taken_) : 0;
}

std::size_t Messenger::serve_rung() {
  const std::uint32_t waiting = requests_waiting();
  return waiting > 0 ? serve_up_to(waiting) : 0;
}

void Messenger::serve_while_waiting(std::uint32_t& rounds) {
  const bool probe_all = !doorbell_on_ || ++rounds % kProbeEveryRounds == 0;
  if ((probe_all ? serve_pending() : serve_rung()) == 0) idle();
}

std::size_t Messenger::serve_up_to(std::uint32_t limit) {
  reap_completed_sends();
  std::size_t served = 0;
  while (served < limit) {
    auto message = mpi::try_receive(comm_, MPI_ANY_SOURCE, kRequestTag);
    if (!message) break;
    ++taken_;
    Reply reply;
    try {
      reply = handler_(message->source, decode_request(message->bytes));
    } catch (...) {
      reply = failure_reply(std::current_exception());
    }
    replies_in_flight_.emplace_back(comm_, message->source, kReplyTag, encode(reply));
    ++served;
  }
  return served;
}

void Messenger::wait_serving(mpi::Request& request) {
  std::uint32_t rounds = 0;
  while (!request.test()) serve_while_waiting(rounds);
}

void Messenger::quiesce() {
  mpi::Request barrier = mpi::start_barrier(comm_);
  wait_serving(barrier);
  for (auto& reply : replies_in_flight_) reply.wait();
  replies_in_flight_.clear();
}

void Messenger::reap_completed_sends() {
  while (!replies_in_flight_.empty() && replies_in_flight_.front().test()) replies_in_flight_.pop_front();
}

}  // namespace penumbra::transport
