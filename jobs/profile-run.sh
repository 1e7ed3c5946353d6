#!/usr/bin/env bash
# Profiles one run end to end: runs the program with PENUMBRA_TRACE set (mpiexec, or Slurm with --slurm),
# then prints `penumbra-prof summary` of the trace it wrote and draws the plots and a Perfetto file.
#   jobs/profile-run.sh [--slurm] [-N NODES] [-n RANKS] [-o OUT_DIR] [-c CONFIG.toml] [--] [PROGRAM [ARGS...]]
# Defaults: mpiexec, 4 ranks, OUT_DIR=profile-<date>, the demo (build/bin/hotspot). Results:
#   OUT_DIR/trace/<run>.penumbra-trace.jsonl  OUT_DIR/summary.txt  OUT_DIR/plots/*.svg  OUT_DIR/perfetto.json
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${PENUMBRA_BUILD_DIR:-$root/build}/bin
slurm=0 nodes=1 ranks=4 out=profile-$(date +%Y%m%d-%H%M%S) config=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --slurm) slurm=1; shift ;;
    -N) nodes=$2; shift 2 ;;
    -n) ranks=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -c) config=(-c "$2"); shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
mkdir -p "$out/trace"
out=$(realpath "$out")
run_name=profile-$(date +%Y%m%d-%H%M%S)
if [[ $slurm -eq 1 ]]; then
  "$root/jobs/slurm/submit.sh" --wait -N "$nodes" -n "$ranks" -o "$out/job-%j.out" "${config[@]}" \
    -t "$out/trace" -r "$run_name" -- "$@"
  cat "$out"/job-*.out
else
  "$root/jobs/mpirun-job.sh" -n "$ranks" "${config[@]}" -t "$out/trace" -r "$run_name" -- "$@" | tee "$out/run.txt"
fi
trace=$out/trace/$run_name.penumbra-trace.jsonl
if [[ ! -f "$trace" ]]; then
  echo "profile-run: the run wrote no trace ($trace); does the program build a penumbra::Runtime and run epochs?" >&2
  exit 1
fi
"$bin/penumbra-prof" summary "$trace" | tee "$out/summary.txt"
"$bin/penumbra-prof" plot "$trace" --out "$out/plots"
"$bin/penumbra-prof" export --perfetto "$trace" --out "$out/perfetto.json"
echo "profile-run: trace, summary, plots and perfetto.json in $out"
