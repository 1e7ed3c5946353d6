#!/usr/bin/env bash
# Installs missing dependencies, then configures (once) and builds Penumbra in ./build (or $PENUMBRA_BUILD_DIR).
# Extra arguments go to the configure step, e.g. jobs/build.sh -DPENUMBRA_WERROR=ON
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_BUILD_DIR:-$root/build}
"$root/jobs/install-deps.sh"
if [[ ! -f "$build/CMakeCache.txt" || $# -gt 0 ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build "$build" -j "${PENUMBRA_BUILD_JOBS:-2}"
