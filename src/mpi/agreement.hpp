#pragma once
// Collective error agreement: when one rank fails inside a collective operation, every rank must leave it
// the same way, or the others hang in the next collective.
#include <exception>

#include "mpi/communicator.hpp"

namespace penumbra::mpi {

/// Collective. If no rank has a failure, returns. Otherwise every rank throws: a rank with its own failure
/// rethrows it (its type preserved); the others throw penumbra::RemoteError naming the lowest failing rank
/// and carrying its message.
void agree_on_failure(const Communicator& comm, std::exception_ptr local_failure);

/// Runs `body` and agrees on its failure (see agree_on_failure).
template <class Body>
void run_agreed(const Communicator& comm, Body&& body) {
  std::exception_ptr failure;
  try {
    body();
  } catch (...) {
    failure = std::current_exception();
  }
  agree_on_failure(comm, failure);
}

}  // namespace penumbra::mpi
