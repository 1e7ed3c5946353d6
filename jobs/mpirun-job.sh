#!/usr/bin/env bash
# Runs a Penumbra program under mpiexec on this machine.
#   jobs/mpirun-job.sh [-n RANKS] [-c CONFIG.toml] [-t TRACE_DIR] [-r RUN_NAME] [--] [PROGRAM [ARGS...]]
# Defaults: 4 ranks, the demo (build/bin/hotspot), no configuration file, no trace. Examples:
#   jobs/mpirun-job.sh -n 8 -t traces -- build/bin/quickstart 64 10
#   jobs/mpirun-job.sh -n 4 -- build/bin/penumbra-bench-shadow --quick
# Extra mpiexec options: MPIEXEC_FLAGS="--bind-to none" jobs/mpirun-job.sh ...
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/jobs/lib/mpi-env.sh"
source "$root/jobs/lib/job-args.sh"
ranks=4
if [[ "${1:-}" == "-n" ]]; then
  ranks=$2
  shift 2
fi
penumbra_parse_job_args "$@" || exit 2
# shellcheck disable=SC2086  # MPIEXEC_FLAGS is a list of words by design
exec mpiexec -n "$ranks" ${MPIEXEC_FLAGS:-} "${program[@]}"
