// The smallest Penumbra program: one runtime on MPI_COMM_WORLD, one object every rank reads.
#include <mpi.h>

#include <cstdio>
#include <penumbra/penumbra.hpp>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  try {
    penumbra::Runtime rt{MPI_COMM_WORLD};
    if (rt.rank() == 0) rt.create("greeting", 42);
    rt.barrier();
    const auto greeting = rt.read<int>("greeting");
    std::printf("rank %d of %d read %d (version %llu) from rank %d\n", rt.rank(), rt.size(), greeting.value,
                static_cast<unsigned long long>(greeting.version), rt.owner_of("greeting"));
    status = greeting.value == 42 ? 0 : 1;
  } catch (const penumbra::Error& error) {
    std::fprintf(stderr, "consumer: %s\n", error.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
