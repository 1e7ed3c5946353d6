// GoogleTest main for MPI suites. Every rank runs every test. After each test the ranks agree on the result:
// a failure on any rank fails the test on all ranks and names the failing ranks, so rank 0's report (the
// only one printed in full) never hides a failure elsewhere. The exit code is agreed too. After kamping's
// MPI test main (STYLE.md), with MPI_Init_thread and a single finalize.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

// Prints the failures of ranks other than 0 (rank 0 keeps gtest's own printer), and turns a failure on any
// rank into a failure on every rank.
class MpiAgreementListener : public testing::EmptyTestEventListener {
 public:
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (world_rank() == 0 || !result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", world_rank(), result.file_name() ? result.file_name() : "?",
                 result.line_number(), result.summary());
    std::fflush(stderr);
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int failed_here = info.result()->Failed() ? 1 : 0;
    std::vector<int> failed(static_cast<std::size_t>(size));
    MPI_Allgather(&failed_here, 1, MPI_INT, failed.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::string failing_ranks;
    for (int r = 0; r < size; ++r)
      if (failed[static_cast<std::size_t>(r)]) failing_ranks += (failing_ranks.empty() ? "" : ", ") + std::to_string(r);
    if (!failing_ranks.empty() && !failed_here)
      ADD_FAILURE() << "test failed on rank(s) " << failing_ranks << " of " << size;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  // THREAD_MULTIPLE: the runtime may run a progress thread (ENVIRONMENT.md: Open MPI provides it).
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  // The agreement listener must see OnTestEnd before the printer does, so that rank 0 prints a test that
  // failed elsewhere as FAILED: take the printer out, add ours, put the printer back (rank 0 only).
  testing::TestEventListener* printer = listeners.Release(listeners.default_result_printer());
  listeners.Append(new MpiAgreementListener);
  if (world_rank() == 0)
    listeners.Append(printer);
  else
    delete printer;

  const int local_result = RUN_ALL_TESTS();
  int result = 0;
  MPI_Allreduce(&local_result, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return result;
}
