#pragma once
// This process's rank in MPI_COMM_WORLD and the number of ranks, for suites that test the layers below the
// Runtime and have none to ask.
#include <mpi.h>

namespace penumbra::testing_support {

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

}  // namespace penumbra::testing_support
