#include "mpi/sum_max.hpp"

#include "mpi/check.hpp"

namespace penumbra::mpi {
namespace {

// MPI's user-function signature; `length` counts elements of the 2-double type.
void combine(void* in, void* inout, int* length, MPI_Datatype* /*type*/) {
  const auto* a = static_cast<const SumMax*>(in);
  auto* b = static_cast<SumMax*>(inout);
  for (int i = 0; i < *length; ++i) {
    b[i].sum += a[i].sum;
    if (a[i].max > b[i].max) b[i].max = a[i].max;
  }
}

}  // namespace

SumMaxReducer::SumMaxReducer() {
  check(MPI_Type_contiguous(2, MPI_DOUBLE, &type_), "MPI_Type_contiguous");
  check(MPI_Type_commit(&type_), "MPI_Type_commit");
  check(MPI_Op_create(&combine, /*commute=*/1, &op_), "MPI_Op_create");
}

SumMaxReducer::~SumMaxReducer() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;  // nothing can be freed after MPI_Finalize; the process is ending anyway
  if (op_ != MPI_OP_NULL) MPI_Op_free(&op_);
  if (type_ != MPI_DATATYPE_NULL) MPI_Type_free(&type_);
}

SumMax SumMaxReducer::operator()(const Communicator& comm, double value) const {
  SumMax mine{value, value}, all;
  check(MPI_Allreduce(&mine, &all, 1, type_, op_, comm.get()), "MPI_Allreduce(sum, max)");
  return all;
}

}  // namespace penumbra::mpi
