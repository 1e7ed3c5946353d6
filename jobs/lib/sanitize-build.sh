# shellcheck shell=bash
# Sourced by jobs/run-sanitized-tests.sh and jobs/run-fuzzers.sh: configures and builds the one sanitizer
# build both use, so the library is compiled once for both (in CI too):
#   clang-14, ASan + UBSan halting on the first report (cmake/PenumbraSanitize.cmake), -O1 -g (the
#   sanitizers' advice: readable stacks, fast enough for 8 oversubscribed ranks), the libFuzzer harnesses
#   (fuzz/; the library carries libFuzzer's coverage instrumentation, which the tests ignore), the unit and
#   MPI test suites. Static library, so each harness carries the instrumented code with it.
#   Not built: tools, benchmarks and examples (their CLI tests run them at full size, minutes under ASan,
#   for little the MPI suites do not check) and the Zoltan strategy (Trilinos is not instrumented).
# Usage: sanitize_build <build dir>
sanitize_build() {
  local root build=$1
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  "$root/jobs/install-deps.sh"
  # libFuzzer and the sanitizer runtimes come with clang (clang-14 and libclang-rt-14-dev on Debian 12).
  if ! command -v clang++-14 >/dev/null ||
    ! compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
    apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev
  fi
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DPENUMBRA_SANITIZE=address,undefined -DPENUMBRA_FUZZ=ON \
    -DBUILD_SHARED_LIBS=OFF -DPENUMBRA_WITH_ZOLTAN=OFF -DPENUMBRA_BUILD_TESTS=ON -DPENUMBRA_BUILD_TOOLS=OFF \
    -DPENUMBRA_BUILD_BENCHMARKS=OFF -DPENUMBRA_BUILD_EXAMPLES=OFF "${launcher[@]}" >/dev/null
  cmake --build "$build" -j "${PENUMBRA_BUILD_JOBS:-2}"
}
