#!/usr/bin/env bash
# Submits a Penumbra program with jobs/slurm/penumbra.sbatch and prints the job id.
#   jobs/slurm/submit.sh [-N NODES] [-n TASKS] [--wait] [-o OUTPUT] [-c CONFIG.toml] [-t TRACE_DIR] [-r RUN_NAME]
#                        [--] [PROGRAM [ARGS...]]
# Defaults: 1 node, 4 tasks, the demo (build/bin/hotspot). Tasks may exceed the node's CPUs (overcommit), as
# our 2-core test machines run 4-8 ranks. --wait returns when the job ends, with its exit status.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
nodes=1 tasks=4 wait=() output=penumbra-%j.out job_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -N|--nodes) nodes=$2; shift 2 ;;
    -n|--tasks) tasks=$2; shift 2 ;;
    -o|--output) output=$2; shift 2 ;;
    --wait) wait=(--wait); shift ;;
    *) job_args+=("$1"); shift ;;
  esac
done
cd "$root"
exec sbatch --parsable "${wait[@]}" --nodes="$nodes" --ntasks="$tasks" --overcommit --output="$output" \
  --export=ALL,PENUMBRA_ROOT="$root" "$root/jobs/slurm/penumbra.sbatch" "${job_args[@]}"
