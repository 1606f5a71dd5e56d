# Fails when the committed generated file differs from what the generator prints.
execute_process(COMMAND ${GEN} ${GEN_ARGS} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator ${GEN} failed (${rc})")
endif()
file(READ ${COMMITTED} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${COMMITTED} is out of date with the table; regenerate it with: ${GEN} ${GEN_ARGS} > ${COMMITTED}")
endif()
