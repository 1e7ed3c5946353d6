#pragma once
// Collective error agreement: when one rank fails inside a collective operation, every rank must leave it
// the same way, or the others hang in the next collective.
#include <exception>
#include <string>
#include <string_view>

#include "mpi/communicator.hpp"

namespace penumbra::mpi {

/// Collective. If no rank has a failure, returns. Otherwise every rank throws: a rank with its own failure
/// rethrows it (its type preserved); the others throw penumbra::RemoteError naming the lowest failing rank
/// and carrying its message.
void agree_on_failure(const Communicator& comm, std::exception_ptr local_failure);

/// Collective. The ranks whose `text` differs from rank 0's (compared by a 64-bit digest), as "1, 3", or ""
/// when every rank has the same: how a component checks that every rank was configured alike.
std::string ranks_differing_from_root(const Communicator& comm, std::string_view text);

/// Runs `body` and agrees on its failure: with agree_on_failure, or with `agree(comm, failure)` for a component
/// that reports an agreed failure its own way (the checkpoint throws the same CheckpointError on every rank).
template <class Body, class Agree = void (*)(const Communicator&, std::exception_ptr)>
void run_agreed(const Communicator& comm, Body&& body, Agree&& agree = &agree_on_failure) {
  std::exception_ptr failure;
  try {
    body();
  } catch (...) {
    failure = std::current_exception();
  }
  agree(comm, failure);
}

}  // namespace penumbra::mpi
