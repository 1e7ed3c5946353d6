#pragma once
// Byte-level one-sided operations on an MPI_Win_allocate window (displacement unit 1), inside a passive-target
// epoch (LockAllEpoch). Transfers larger than kMaxMessageBytes are split, since MPI counts are int.
#include <cstddef>
#include <span>

#include "mpi/window.hpp"

namespace penumbra::mpi {

/// MPI_Get of `out.size()` bytes at byte `displacement` of `target`'s window. Complete after flush(_local).
void get_bytes(const Window& window, int target, std::size_t displacement, std::span<std::byte> out);
/// MPI_Put of `bytes` at byte `displacement` of `target`'s window. `bytes` must stay unchanged until a flush.
void put_bytes(const Window& window, int target, std::size_t displacement, std::span<const std::byte> bytes);
/// MPI_Win_flush: the operations to `target` are complete at the origin and at the target.
void flush(const Window& window, int target);
/// MPI_Win_flush_local: the operations to `target` are complete at the origin (a Get's buffer is filled).
void flush_local(const Window& window, int target);
/// MPI_Win_sync: a memory barrier between this rank's loads/stores on its window memory and RMA.
void sync(const Window& window);
/// True when the window's memory model (MPI_WIN_MODEL) is MPI_WIN_UNIFIED: local loads and stores see and
/// are seen by RMA once synchronised, so a rank may access its own window memory directly.
bool unified_memory_model(const Window& window);

}  // namespace penumbra::mpi
