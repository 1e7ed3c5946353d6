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
