# Test registration helpers.
#
#   penumbra_add_unit_test(NAME SOURCES file...)
#       A pure-logic GoogleTest suite: no MPI, no mpiexec.
#   penumbra_add_mpi_test(NAME RANKS 1 2 4 8 SOURCES file... [ENVIRONMENT VAR=value...] [TIMEOUT s])
#       One executable, registered with ctest once per rank count as NAME.npN and run through mpiexec.
#       The Open MPI settings our machines need (run as root, oversubscribe 8 ranks on 2 cores; see
#       ../shared/ENVIRONMENT.md) are test properties, never something a user must export.
include_guard(GLOBAL)
find_package(GTest REQUIRED)

set(PENUMBRA_MPI_TEST_ENVIRONMENT
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    # Oversubscribed ranks must yield, or 8 ranks busy-polling on 2 cores take minutes (ENVIRONMENT.md).
    OMPI_MCA_mpi_yield_when_idle=1)

function(penumbra_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE penumbra_internal GTest::gtest_main penumbra_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin/tests")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

function(penumbra_add_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "RANKS;SOURCES;ENVIRONMENT" ${ARGN})
  if(NOT ARG_RANKS)
    set(ARG_RANKS 1 2 4 8)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE penumbra_internal penumbra_mpi_gtest_main penumbra_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin/tests")
  foreach(ranks IN LISTS ARG_RANKS)
    set(test_name ${name}.np${ranks})
    add_test(NAME ${test_name}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    # PROCESSORS lets `ctest -j2` pack small runs together and run the 8-rank ones alone.
    set_tests_properties(${test_name} PROPERTIES
      LABELS "mpi;np${ranks}" TIMEOUT ${ARG_TIMEOUT} PROCESSORS ${ranks}
      ENVIRONMENT "${PENUMBRA_MPI_TEST_ENVIRONMENT};${ARG_ENVIRONMENT}")
  endforeach()
endfunction()

#   penumbra_add_cli_test(NAME RANKS n COMMAND exe args... EXPECT_EXIT zero|nonzero [EXPECT_OUTPUT regex]
#                         [ENVIRONMENT VAR=value...])
#       A program run as users run it, under mpiexec with `n` ranks; its exit status and output are checked
#       by mpi_tests/cli/run_and_check.cmake.
function(penumbra_add_cli_test name)
  cmake_parse_arguments(ARG "" "RANKS;EXPECT_EXIT;EXPECT_OUTPUT" "COMMAND;ENVIRONMENT" ${ARGN})
  set(checks -DEXPECT_EXIT=${ARG_EXPECT_EXIT})
  if(DEFINED ARG_EXPECT_OUTPUT)
    list(APPEND checks "-DEXPECT_OUTPUT=${ARG_EXPECT_OUTPUT}")
  endif()
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${checks}
                                "-DCOMMAND=${MPIEXEC_EXECUTABLE};${MPIEXEC_NUMPROC_FLAG};${ARG_RANKS};${ARG_COMMAND}"
                                -P ${PROJECT_SOURCE_DIR}/mpi_tests/cli/run_and_check.cmake)
  set_tests_properties(${name} PROPERTIES LABELS "mpi;cli" TIMEOUT 180 PROCESSORS 2
                                          ENVIRONMENT "${PENUMBRA_MPI_TEST_ENVIRONMENT};${ARG_ENVIRONMENT}")
endfunction()
