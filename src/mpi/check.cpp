#include "mpi/check.hpp"

#include <atomic>
#include <string>

#include "penumbra/errors.hpp"

namespace penumbra::mpi {
namespace {
std::atomic<int> live_handle_count{0};
}

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  throw MpiError(call, code, std::string(text, static_cast<std::size_t>(length)));
}

int live_handles() noexcept { return live_handle_count.load(); }

namespace detail {
void handle_created() noexcept { ++live_handle_count; }
void handle_freed() noexcept { --live_handle_count; }
}  // namespace detail

}  // namespace penumbra::mpi
