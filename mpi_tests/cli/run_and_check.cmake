# Runs a command and checks how it ended, for ctest entries that test programs as users run them.
#   cmake -DCOMMAND="a;b;c" -DEXPECT_EXIT=zero|nonzero [-DEXPECT_OUTPUT=regex] -P run_and_check.cmake
# EXPECT_OUTPUT is matched against stdout and stderr together.
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE ";" " " shown "${COMMAND}")
if(EXPECT_EXIT STREQUAL "zero" AND NOT exit_code EQUAL 0)
  message(FATAL_ERROR "'${shown}' exited with ${exit_code}, expected 0\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(EXPECT_EXIT STREQUAL "nonzero" AND exit_code EQUAL 0)
  message(FATAL_ERROR "'${shown}' exited with 0, expected a failure\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_OUTPUT AND NOT "${out}${err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output of '${shown}' does not match '${EXPECT_OUTPUT}'\nstdout:\n${out}\nstderr:\n${err}")
endif()
message(STATUS "ok: '${shown}' exited with ${exit_code}")
