#include "mpi/rma.hpp"

#include <algorithm>

#include "mpi/check.hpp"
#include "mpi/point_to_point.hpp"

namespace penumbra::mpi {

void get_bytes(const Window& window, int target, std::size_t displacement, std::span<std::byte> out) {
  for (std::size_t done = 0; done < out.size();) {
    const auto count = static_cast<int>(std::min(out.size() - done, kMaxMessageBytes));
    check(MPI_Get(out.data() + done, count, MPI_BYTE, target, static_cast<MPI_Aint>(displacement + done), count,
                  MPI_BYTE, window.get()),
          "MPI_Get");
    done += static_cast<std::size_t>(count);
  }
}

void put_bytes(const Window& window, int target, std::size_t displacement, std::span<const std::byte> bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const auto count = static_cast<int>(std::min(bytes.size() - done, kMaxMessageBytes));
    check(MPI_Put(bytes.data() + done, count, MPI_BYTE, target, static_cast<MPI_Aint>(displacement + done), count,
                  MPI_BYTE, window.get()),
          "MPI_Put");
    done += static_cast<std::size_t>(count);
  }
}

void flush(const Window& window, int target) { check(MPI_Win_flush(target, window.get()), "MPI_Win_flush"); }

void flush_local(const Window& window, int target) {
  check(MPI_Win_flush_local(target, window.get()), "MPI_Win_flush_local");
}

void sync(const Window& window) { check(MPI_Win_sync(window.get()), "MPI_Win_sync"); }

bool unified_memory_model(const Window& window) {
  int* model = nullptr;
  int found = 0;
  check(MPI_Win_get_attr(window.get(), MPI_WIN_MODEL, &model, &found), "MPI_Win_get_attr(MPI_WIN_MODEL)");
  return found != 0 && model != nullptr && *model == MPI_WIN_UNIFIED;
}

}  // namespace penumbra::mpi
