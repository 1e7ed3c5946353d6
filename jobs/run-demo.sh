#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs the hotspot demo under mpiexec: a storm crossing a
# 2-D block domain, run with every rebalancing strategy, shadows off and on, in one table.
#   jobs/run-demo.sh [ranks] [hotspot arguments...]      (default 4 ranks; see build/bin/hotspot --help)
# Writes the table as JSON to build/hotspot.json (override with --json FILE).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PENUMBRA_BUILD_DIR:-$root/build}
ranks=${1:-4}
shift || true
"$root/jobs/build.sh" >/dev/null
# Open MPI refuses root without these, and our 2-core machines run 4-8 ranks oversubscribed; yielding
# keeps idle ranks from stealing the cores (see ../shared/ENVIRONMENT.md).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
exec mpiexec -n "$ranks" "$build/bin/hotspot" --json "$build/hotspot.json" "$@"
