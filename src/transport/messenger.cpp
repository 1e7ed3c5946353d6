#include "transport/messenger.hpp"

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
}  // namespace

Messenger::Messenger(mpi::Communicator comm, Handler handler) : comm_(std::move(comm)), handler_(std::move(handler)) {}

Reply Messenger::call(int target, const Request& request) {
  if (target == comm_.rank() || target < 0 || target >= comm_.size())
    throw InvalidArgument("Messenger::call: target rank " + std::to_string(target) + " (expected another rank in [0, " +
                          std::to_string(comm_.size()) + "))");
  mpi::PendingSend send(comm_, target, kRequestTag, encode(request));
  while (true) {
    if (auto message = mpi::try_receive(comm_, target, kReplyTag)) {
      send.wait();
      return decode_reply(message->bytes);
    }
    if (serve_pending() == 0) idle();
  }
}

std::size_t Messenger::serve_pending() {
  reap_completed_sends();
  std::size_t served = 0;
  while (auto message = mpi::try_receive(comm_, MPI_ANY_SOURCE, kRequestTag)) {
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
  while (!request.test())
    if (serve_pending() == 0) idle();
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
