#pragma once
// Sum and maximum of one double over all ranks in a single MPI_Allreduce: what the per-step rebalance
// trigger needs (the mean and the most loaded rank), at the cost of one small collective instead of two.
#include <mpi.h>

#include "mpi/communicator.hpp"

namespace penumbra::mpi {

struct SumMax {
  double sum = 0.0;
  double max = 0.0;
};

/// Owns the derived datatype and the user operation (both freed on destruction, before MPI_Finalize as long as
/// its owner is destroyed first, like every other MPI resource of the runtime).
class SumMaxReducer {
 public:
  SumMaxReducer();
  ~SumMaxReducer();
  SumMaxReducer(const SumMaxReducer&) = delete;
  SumMaxReducer& operator=(const SumMaxReducer&) = delete;

  /// Collective over `comm`.
  SumMax operator()(const Communicator& comm, double value) const;

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  MPI_Op op_ = MPI_OP_NULL;
};

}  // namespace penumbra::mpi
