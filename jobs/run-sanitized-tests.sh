#!/usr/bin/env bash
# The unit and MPI test suites under AddressSanitizer + UndefinedBehaviorSanitizer, in their own build
# directory (./build-sanitize, or $PENUMBRA_SANITIZE_BUILD_DIR; clang, shared with jobs/run-fuzzers.sh:
# jobs/lib/sanitize-build.sh). UBSan halts on its first report
# (-fno-sanitize-recover); ASan and LSan reports fail the test that made them. The leak suppressions for
# Open MPI, each with its reason, are in .ci/sanitizers/lsan.supp (docs/reliability.md).
#   jobs/run-sanitized-tests.sh                 unit tests + every MPI suite at 1, 2, 4, 8 ranks
#   jobs/run-sanitized-tests.sh -L sanitize     unit tests + the MPI subset CI runs (label `sanitize`)
# Extra arguments go to ctest's MPI run (the unit tests always run whole).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_SANITIZE_BUILD_DIR:-$root/build-sanitize}
# shellcheck source=lib/sanitize-build.sh
source "$root/jobs/lib/sanitize-build.sh"
sanitize_build "$build"

supp="$root/.ci/sanitizers"
# mpiexec passes its environment on to the ranks it starts on this host, so these reach every rank.
# fast_unwind_on_malloc=0: Open MPI is built without frame pointers, and the leak stacks must reach its
# libraries for the suppressions in lsan.supp to match them (docs/reliability.md). No ASan or UBSan
# suppression is needed.
export ASAN_OPTIONS="fast_unwind_on_malloc=0:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
cd "$build"
started=$SECONDS
ctest --output-on-failure -j "${PENUMBRA_TEST_JOBS:-2}" -L unit
ctest --output-on-failure -j "${PENUMBRA_TEST_JOBS:-2}" -L mpi -LE cli "$@"
echo "sanitized tests passed in $((SECONDS - started)) s"
