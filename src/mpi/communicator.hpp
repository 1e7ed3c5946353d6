#pragma once
// Owning, move-only MPI communicator. Never a bare MPI_Comm outside src/mpi (STYLE.md).
#include <mpi.h>

#include <string>

namespace penumbra::mpi {

class Communicator {
 public:
  /// MPI_Comm_dup of `parent`, with MPI_ERRORS_RETURN so errors become MpiError.
  static Communicator duplicate(MPI_Comm parent);
  /// MPI_Comm_split of this communicator.
  Communicator split(int color, int key) const;
  /// MPI_Comm_split_type(MPI_COMM_TYPE_SHARED): the ranks that share this node's memory.
  Communicator split_shared() const;

  Communicator() = default;
  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  ~Communicator();

  MPI_Comm get() const noexcept { return comm_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  void barrier() const;

 private:
  explicit Communicator(MPI_Comm owned);
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 0;
};

}  // namespace penumbra::mpi
