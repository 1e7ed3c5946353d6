#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs every unit and MPI test (MPI suites at 1, 2, 4
# and 8 ranks; the Open MPI settings they need are ctest properties, not your shell's).
# Extra arguments go to ctest, e.g. jobs/run-tests.sh -L unit   or   -R migration
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_BUILD_DIR:-$root/build}
"$root/jobs/build.sh"
cd "$build"
ctest --output-on-failure -j "${PENUMBRA_TEST_JOBS:-2}" "$@"
