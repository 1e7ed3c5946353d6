#!/usr/bin/env bash
# Starts a real Slurm on this machine (munge, slurmctld, slurmd; configuration written now into a temporary
# folder), submits a Penumbra MPI program through jobs/slurm/submit.sh (sbatch + srun --mpi=pmix), waits
# for it by polling, checks its output and, when the program wrote one, its epoch trace, and stops every
# daemon it started. Exit 77 (ctest SKIP_RETURN_CODE) only when Slurm cannot be installed or started here.
#   slurm_test.sh SOURCE_DIR BIN_DIR EXPECTED_OUTPUT_REGEX TASKS -- PROGRAM [ARGS...]
# With SLURM_TEST_REQUIRE_TRACE=1 a missing trace fails the test (for programs that run rebalance epochs).
set -euo pipefail
source_dir=$1 bin_dir=$2 expected=$3 tasks=$4
shift 4
[[ "${1:-}" == "--" ]] && shift
program=("$@")
skip() { echo "SKIPPED: $*" >&2; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || skip "the Slurm test starts slurmd and munged, which needs root"
packages=(slurmctld slurmd slurm-client munge)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
   ! command -v munged >/dev/null; then
  echo "installing ${packages[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1 ||
    skip "Slurm is not installed and 'apt-get install ${packages[*]}' failed (no Debian mirror?)"
fi

work=$(mktemp -d /tmp/penumbra-slurm.XXXXXX)
started_munged=0
# Stops one daemon this test started: SIGTERM, wait (polling) for it to save its state and exit, then SIGKILL.
stop_daemon() {
  local pid=$1 deadline=$((SECONDS + 30))
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  # Stop only what this test started, by the pids the daemons wrote.
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [[ -f "$pidfile" ]] && stop_daemon "$(cat "$pidfile")"
  done
  if [[ $started_munged -eq 1 && -f /run/munge/munged.pid ]]; then stop_daemon "$(cat /run/munge/munged.pid)"; fi
  if [[ $status -ne 0 && $status -ne 77 ]]; then
    for log in "$work"/slurmctld.log "$work"/slurmd.log; do
      [[ -f "$log" ]] && { echo "--- last lines of $log" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

# Polls a command every 0.5 s until it succeeds or `seconds` pass; the only waiting we do. The second
# argument names what is awaited, for the reader of the call.
wait_for() {
  local seconds=$1
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# munge: reuse a running munged, else start the system one (Debian's package made its key).
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [[ -f /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || true
  chown munge:munge /etc/munge/munge.key 2>/dev/null || true
  runuser -u munge -- /usr/sbin/munged || skip "munged does not start"
  started_munged=1
  wait_for 10 munge bash -c 'munge -n </dev/null | unmunge >/dev/null 2>&1' || skip "munged started but does not answer"
fi

host=$(hostname -s)
# Ports of our own, so a Slurm already running here (or a parallel test) is left alone.
ctld_port=$((17000 + RANDOM % 2000))
slurmd_port=$((ctld_port + 2000))
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=penumbra-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Declares more CPUs than the VM has; without this the node drains (ENVIRONMENT.md).
SlurmdParameters=config_overrides
ReturnToService=2
SchedulerType=sched/builtin
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName=$host CPUs=8 State=UNKNOWN
PartitionName=penumbra Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
cat >"$work/cgroup.conf" <<CONF
# proctrack/linuxproc and task/none use no cgroups; this file only keeps slurmd from looking for one elsewhere.
CgroupPlugin=autodetect
IgnoreSystemd=yes
CONF

slurmctld -f "$SLURM_CONF" || skip "slurmctld does not start (see above)"
slurmd -f "$SLURM_CONF" || skip "slurmd does not start (see above)"
node_idle() { [[ "$(sinfo -h -n "$host" -o %T 2>/dev/null)" == idle* ]]; }
wait_for 120 "node idle" node_idle || skip "the Slurm node never became idle: $(sinfo -h -o '%T %E' 2>&1)"
echo "slurm up: $(sinfo -h -o '%P %D %T %c')"

cd "$work"
trace_dir=$work/traces
job=$("$source_dir/jobs/slurm/submit.sh" -N 1 -n "$tasks" -o "$work/job-%j.out" -t "$trace_dir" -r slurm-test \
  -- "${program[@]}") || fail "sbatch refused the job"
echo "submitted job $job: ${program[*]} on $tasks tasks"
job_state() { scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_done() { case "$(job_state)" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL) return 0 ;; *) return 1 ;; esac; }
wait_for 600 "job end" job_done || fail "job $job still $(job_state) after 600 s"
state=$(job_state)
output=$work/job-$job.out
echo "--- job $job ended $state; its output:"
cat "$output"
[[ "$state" == COMPLETED ]] || fail "job $job ended $state"
grep -Eq -- "$expected" "$output" || fail "job output does not match '$expected'"
grep -q "srun: error" "$output" && fail "srun reported an error"

# The run name is the job's (-r slurm-test); a program with several runs (hotspot) adds a suffix per run.
shopt -s nullglob
traces=("$trace_dir"/slurm-test*.penumbra-trace.jsonl)
shopt -u nullglob
if ((${#traces[@]} > 0)); then
  for trace in "${traces[@]}"; do
    "$bin_dir/penumbra-prof" summary "$trace" || fail "penumbra-prof cannot read the job's trace $trace"
    echo "trace checked: $trace"
  done
elif [[ "${SLURM_TEST_REQUIRE_TRACE:-0}" == 1 ]]; then
  fail "the job wrote no trace in $trace_dir"
else
  echo "note: ${program[0]} wrote no epoch trace; output checked only"
fi
echo "PASSED: job $job ran under Slurm and its output matches"
