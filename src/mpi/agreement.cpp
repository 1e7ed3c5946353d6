#include "mpi/agreement.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "mpi/collectives.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::mpi {
namespace {
std::string message_of(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return "unknown exception";
  }
}
}  // namespace

void agree_on_failure(const Communicator& comm, std::exception_ptr local_failure) {
  const std::vector<int> failed = allgather(comm, local_failure ? 1 : 0);
  auto first = std::ranges::find(failed, 1);
  if (first == failed.end()) return;
  const int root = static_cast<int>(first - failed.begin());
  std::string message = comm.rank() == root ? message_of(local_failure) : std::string{};
  int length = static_cast<int>(message.size());
  check(MPI_Bcast(&length, 1, MPI_INT, root, comm.get()), "MPI_Bcast");
  message.resize(static_cast<std::size_t>(length));
  check(MPI_Bcast(message.data(), length, MPI_CHAR, root, comm.get()), "MPI_Bcast");
  if (local_failure) std::rethrow_exception(local_failure);
  throw RemoteError(root, message);
}

std::string ranks_differing_from_root(const Communicator& comm, std::string_view text) {
  const std::vector<std::uint64_t> digests =
      allgather(comm, fnv1a64(std::as_bytes(std::span(text.data(), text.size()))));
  std::string differing;
  for (std::size_t r = 0; r < digests.size(); ++r)
    if (digests[r] != digests[0]) differing += (differing.empty() ? "" : ", ") + std::to_string(r);
  return differing;
}

}  // namespace penumbra::mpi
