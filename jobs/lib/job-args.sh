# shellcheck shell=bash
# Sourced by the job scripts: parses the options they share into variables, leaving the program and its
# arguments in "${program[@]}".
#   -c|--config FILE     Penumbra TOML configuration (exported as PENUMBRA_CONFIG)
#   -t|--trace DIR       write the epoch trace under DIR (exported as PENUMBRA_TRACE)
#   -r|--run-name NAME   trace file name stem (PENUMBRA_TRACE_RUN_NAME)
#   [--] PROGRAM ARGS    what to run; default: the demo, $PENUMBRA_BUILD_DIR/bin/hotspot
penumbra_parse_job_args() {
  program=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -c|--config) PENUMBRA_CONFIG=$(realpath "$2"); export PENUMBRA_CONFIG; shift 2 ;;
      -t|--trace) mkdir -p "$2"; PENUMBRA_TRACE=$(realpath "$2"); export PENUMBRA_TRACE; shift 2 ;;
      -r|--run-name) export PENUMBRA_TRACE_RUN_NAME=$2; shift 2 ;;
      --) shift; program=("$@"); break ;;
      -*) echo "unknown option $1" >&2; return 2 ;;
      *) program=("$@"); break ;;
    esac
  done
  if [[ ${#program[@]} -eq 0 ]]; then
    program=("${PENUMBRA_BUILD_DIR:-$root/build}/bin/hotspot")
  fi
  if [[ ! -x "${program[0]}" ]] && ! command -v "${program[0]}" >/dev/null; then
    echo "program not found or not executable: ${program[0]}" >&2
    return 2
  fi
}
