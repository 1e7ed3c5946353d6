#!/usr/bin/env bash
# Installs the Debian packages Penumbra needs, only those missing. Idempotent: quick when all are present.
#   jobs/install-deps.sh            # build + test dependencies
#   jobs/install-deps.sh --slurm    # and a local Slurm (the `slurm` test label, jobs/slurm/)
set -euo pipefail

packages=(
  g++ make cmake pkg-config
  libopenmpi-dev openmpi-bin            # MPI (C API; Open MPI 4.1 on Debian 12)
  libhwloc-dev hwloc                    # topology
  libpapi-dev papi-tools                # hardware counters (timers where the VM has none)
  libboost-serialization-dev            # object serialization
  googletest libgtest-dev               # tests
  libtomlplusplus-dev                   # configuration files
  libxxhash-dev                         # payload checksums (XXH3)
  libfmt-dev nlohmann-json3-dev libcli11-dev   # formatting, JSON, command lines (tools, benchmarks)
  libopen-trace-format2-dev otf2-tools  # penumbra-prof's OTF2 export; otf2-print checks it in the tests
  python3                               # the tools tests read JSON and SVG with an independent parser
  libtrilinos-zoltan-dev                # the optional `zoltan` rebalancing strategy (hypergraph repartitioning)
)
if [[ "${1:-}" == "--slurm" ]]; then
  packages+=(slurmctld slurmd slurm-client munge)   # Slurm 22.05 on localhost (../shared/ENVIRONMENT.md)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: these packages are missing and installing them needs root: ${missing[*]}" >&2
    echo "install-deps: run as root, or: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  as_root=()
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq; then
  echo "install-deps: 'apt-get update' failed (no network to the Debian mirror?)" >&2
  exit 1
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/penumbra-apt.log 2>&1; then
  echo "install-deps: 'apt-get install ${missing[*]}' failed; last lines of /tmp/penumbra-apt.log:" >&2
  tail -n 20 /tmp/penumbra-apt.log >&2
  exit 1
fi
