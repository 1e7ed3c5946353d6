#!/usr/bin/env bash
# Runs the benchmarks, under mpiexec here or as Slurm jobs, each writing its JSON into OUT_DIR.
#   jobs/benchmarks.sh [--slurm] [-N NODES] [-n RANKS] [-o OUT_DIR] [-c CONFIG.toml] [-t TRACE_DIR] [--quick]
# Defaults: mpiexec, 1 node, 4 ranks (bench-objects always 2, the pure policy benchmarks 1), OUT_DIR=bench-results.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${PENUMBRA_BUILD_DIR:-$root/build}/bin
slurm=0 nodes=1 ranks=4 out=bench-results quick=() job_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --slurm) slurm=1; shift ;;
    -N) nodes=$2; shift 2 ;;
    -n) ranks=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -c|-t|-r) job_args+=("$1" "$2"); shift 2 ;;
    --quick) quick=(--quick); shift ;;
    *) echo "benchmarks.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(realpath "$out")
# name, ranks, extra arguments: bench-objects measures one pair; predict, monitor and the rebalance
# simulation are pure policies (one rank).
benchmarks=("objects 2" "shadow $ranks" "metadata $ranks" "predict 1" "monitor 1" "rebalance 1 --simulate")
for entry in "${benchmarks[@]}"; do
  read -r name n extra <<<"$entry"
  # shellcheck disable=SC2206  # $extra is a list of words by design
  command=("$bin/penumbra-bench-$name" ${extra} "${quick[@]}" --json "$out/$name.json")
  if [[ $slurm -eq 1 ]]; then
    echo "== submitting penumbra-bench-$name ($n tasks on $nodes node(s))"
    "$root/jobs/slurm/submit.sh" -N "$nodes" -n "$n" -o "$out/$name-%j.out" "${job_args[@]}" -- "${command[@]}"
  else
    echo "== penumbra-bench-$name ($n ranks)"
    "$root/jobs/mpirun-job.sh" -n "$n" "${job_args[@]}" -- "${command[@]}"
  fi
done
