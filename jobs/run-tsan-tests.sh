#!/usr/bin/env bash
# ThreadSanitizer run of what Penumbra runs on two threads: the progress thread (docs/design.md, "Progress
# thread") against the application's calls. Builds build-tsan (clang-14, -DPENUMBRA_SANITIZE=thread, the test
# suites only) and runs the unit tests and the progress-thread MPI suite at 1, 2, 4 and 8 ranks. Open MPI is
# not TSan-instrumented: .ci/sanitizers/tsan.supp silences reports whose stacks are inside it, and only those
# (docs/reliability.md, "ThreadSanitizer", says how that was checked). A report exits non-zero (TSan's 66).
# Usage: jobs/run-tsan-tests.sh [extra ctest arguments]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_TSAN_BUILD_DIR:-$root/build-tsan}
"$root/jobs/install-deps.sh"
command -v clang++-14 >/dev/null || apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DPENUMBRA_SANITIZE=thread -DBUILD_SHARED_LIBS=OFF \
  -DPENUMBRA_WITH_ZOLTAN=OFF -DPENUMBRA_BUILD_TESTS=ON -DPENUMBRA_BUILD_TOOLS=OFF -DPENUMBRA_BUILD_BENCHMARKS=OFF \
  -DPENUMBRA_BUILD_EXAMPLES=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "${PENUMBRA_BUILD_JOBS:-2}" --target penumbra_unit_tests progress_thread_mpi_test
export TSAN_OPTIONS="suppressions=$root/.ci/sanitizers/tsan.supp:halt_on_error=0:second_deadlock_stack=1"
cd "$build"
started=$SECONDS
ctest --output-on-failure -R '^(penumbra_unit_tests|progress_thread_mpi_test\.np[0-9]+)$' "$@"
echo "ThreadSanitizer tests passed in $((SECONDS - started)) s"
