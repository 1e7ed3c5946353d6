#pragma once
// The one place MPI return codes become exceptions. Our communicators and windows use MPI_ERRORS_RETURN
// (STYLE.md, after kamping) so a failure reaches us with MPI's own words instead of aborting the job.
#include <mpi.h>

namespace penumbra::mpi {

/// Throws penumbra::MpiError naming `call` with MPI's error string when `code` is not MPI_SUCCESS.
void check(int code, const char* call);

/// Live MPI handles (communicators, windows, datatypes) created through src/mpi; tests use it to prove that
/// every resource a Runtime creates is freed when it is destroyed.
int live_handles() noexcept;

namespace detail {
void handle_created() noexcept;
void handle_freed() noexcept;
}  // namespace detail

}  // namespace penumbra::mpi
