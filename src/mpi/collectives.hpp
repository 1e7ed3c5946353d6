#pragma once
// Typed wrappers over the few collectives the mechanisms need. Values travel as bytes, so only trivially
// copyable types are accepted (checked at compile time).
#include <mpi.h>

#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "mpi/check.hpp"
#include "mpi/communicator.hpp"

namespace penumbra::mpi {

template <class T>
requires std::is_trivially_copyable_v<T> std::vector<T> allgather(const Communicator& comm, const T& value) {
  std::vector<T> all(static_cast<std::size_t>(comm.size()));
  check(MPI_Allgather(&value, sizeof(T), MPI_BYTE, all.data(), sizeof(T), MPI_BYTE, comm.get()), "MPI_Allgather");
  return all;
}

/// Concatenation of every rank's `mine`, in rank order. `counts_out` (if given) receives each rank's count.
template <class T>
requires std::is_trivially_copyable_v<T> std::vector<T> allgatherv(const Communicator& comm, std::span<const T> mine,
                                                                   std::vector<int>* counts_out = nullptr) {
  const int my_bytes = static_cast<int>(mine.size_bytes());
  std::vector<int> bytes = allgather(comm, my_bytes);
  std::vector<int> displacements(bytes.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < bytes.size(); ++r) {
    displacements[r] = static_cast<int>(total);
    total += bytes[r];
  }
  std::vector<T> all(static_cast<std::size_t>(total) / sizeof(T));
  check(MPI_Allgatherv(mine.data(), my_bytes, MPI_BYTE, all.data(), bytes.data(), displacements.data(), MPI_BYTE,
                       comm.get()),
        "MPI_Allgatherv");
  if (counts_out) {
    counts_out->resize(bytes.size());
    for (std::size_t r = 0; r < bytes.size(); ++r) (*counts_out)[r] = bytes[r] / static_cast<int>(sizeof(T));
  }
  return all;
}

inline std::int64_t allreduce_sum(const Communicator& comm, std::int64_t value) {
  std::int64_t result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_INT64_T, MPI_SUM, comm.get()), "MPI_Allreduce");
  return result;
}

inline std::int64_t allreduce_max(const Communicator& comm, std::int64_t value) {
  std::int64_t result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_INT64_T, MPI_MAX, comm.get()), "MPI_Allreduce");
  return result;
}

}  // namespace penumbra::mpi

namespace penumbra::mpi {

/// Personalised exchange: `outgoing[r]` goes to rank r; returns what each rank sent to this one (index = source).
template <class T>
requires std::is_trivially_copyable_v<T> std::vector<std::vector<T>> alltoallv(
    const Communicator& comm, const std::vector<std::vector<T>>& outgoing) {
  const std::size_t ranks = static_cast<std::size_t>(comm.size());
  std::vector<int> send_bytes(ranks), send_displacements(ranks), receive_bytes(ranks), receive_displacements(ranks);
  std::vector<T> send_buffer;
  for (std::size_t r = 0; r < ranks; ++r) {
    send_displacements[r] = static_cast<int>(send_buffer.size() * sizeof(T));
    if (r < outgoing.size()) send_buffer.insert(send_buffer.end(), outgoing[r].begin(), outgoing[r].end());
    send_bytes[r] = static_cast<int>(send_buffer.size() * sizeof(T)) - send_displacements[r];
  }
  check(MPI_Alltoall(send_bytes.data(), 1, MPI_INT, receive_bytes.data(), 1, MPI_INT, comm.get()), "MPI_Alltoall");
  std::size_t total = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    receive_displacements[r] = static_cast<int>(total);
    total += static_cast<std::size_t>(receive_bytes[r]);
  }
  std::vector<T> receive_buffer(total / sizeof(T));
  check(MPI_Alltoallv(send_buffer.data(), send_bytes.data(), send_displacements.data(), MPI_BYTE,
                      receive_buffer.data(), receive_bytes.data(), receive_displacements.data(), MPI_BYTE, comm.get()),
        "MPI_Alltoallv");
  std::vector<std::vector<T>> incoming(ranks);
  for (std::size_t r = 0; r < ranks; ++r) {
    const auto first = receive_buffer.begin() + receive_displacements[r] / static_cast<int>(sizeof(T));
    incoming[r].assign(first, first + receive_bytes[r] / static_cast<int>(sizeof(T)));
  }
  return incoming;
}

}  // namespace penumbra::mpi
