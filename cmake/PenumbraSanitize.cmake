# PENUMBRA_SANITIZE: the sanitizers every target of this build is compiled and linked with (they reach every
# target through penumbra_warnings, which the library, tests, tools, benchmarks and examples all link).
#
#   -DPENUMBRA_SANITIZE=address,undefined   ASan + UBSan; jobs/run-sanitized-tests.sh runs the suites so
#   -DPENUMBRA_SANITIZE=thread              TSan; jobs/run-tsan-tests.sh runs the progress-thread suites under it
#
# UBSan halts on its first report (-fno-sanitize-recover): a report that only prints would let a test pass
# with undefined behaviour in it. Suppressions for what Open MPI, hwloc and PAPI do are in .ci/sanitizers/.
include_guard(GLOBAL)

function(penumbra_apply_sanitizers target)
  if(NOT PENUMBRA_SANITIZE)
    return()
  endif()
  string(REPLACE "," ";" wanted "${PENUMBRA_SANITIZE}")
  foreach(s IN LISTS wanted)
    if(NOT s MATCHES "^(address|undefined|leak|thread)$")
      message(FATAL_ERROR "PENUMBRA_SANITIZE: '${s}' is not one of address, undefined, leak, thread")
    endif()
  endforeach()
  if("thread" IN_LIST wanted AND ("address" IN_LIST wanted OR "leak" IN_LIST wanted))
    message(FATAL_ERROR "PENUMBRA_SANITIZE: thread cannot be combined with address or leak")
  endif()
  target_compile_options(${target} INTERFACE -fsanitize=${PENUMBRA_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
  target_link_options(${target} INTERFACE -fsanitize=${PENUMBRA_SANITIZE})
  message(STATUS "Penumbra: sanitizers ${PENUMBRA_SANITIZE} (halt on first report)")
endfunction()
