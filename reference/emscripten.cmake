# The core (reference/core-sources.txt) must also build with Debian's Emscripten
# (em++ 3.1.6: clang 14, libc++ 13) for the OPFS build. Target wasm_smoke compiles
# each core source with em++ (warnings are errors), one object per source with its
# depfile, so ninja recompiles only what changed; it links them with
# reference/wasm_smoke.cc into build/wasm/wasm_smoke.js. The ctest test
# core.emscripten_build only runs that program under node.
#
# Where em++ or node is missing (apt-get install emscripten nodejs) nothing is
# built and the test reports skipped with the reason. -DP9_EMSCRIPTEN=OFF does the
# same on purpose.
option(P9_EMSCRIPTEN "Build the core with em++ and run it under node (when both are installed)" ON)

# The one list of core sources; editing it re-runs cmake.
set(P9_CORE_LIST ${PROJECT_SOURCE_DIR}/reference/core-sources.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${P9_CORE_LIST})
file(STRINGS ${P9_CORE_LIST} P9_CORE_SOURCES REGEX "^[^# \t]")

set(P9_WASM_SKIP "")
if(NOT P9_EMSCRIPTEN)
  set(P9_WASM_SKIP "skipped: configured with -DP9_EMSCRIPTEN=OFF")
else()
  find_program(P9_EMXX em++)
  find_program(P9_NODE node)
  if(NOT P9_EMXX)
    set(P9_WASM_SKIP "skipped: em++ not found (apt-get install emscripten, then re-run cmake)")
  elseif(NOT P9_NODE)
    set(P9_WASM_SKIP "skipped: node not found (apt-get install nodejs, then re-run cmake)")
  endif()
endif()

if(P9_WASM_SKIP)
  message(STATUS "Emscripten build of the core: ${P9_WASM_SKIP}")
  add_test(NAME core.emscripten_build COMMAND sh -c "echo '${P9_WASM_SKIP}'; exit 77")
else()
  # em++ runs node for its JavaScript steps and finds node's packages through NODE_PATH.
  if(DEFINED ENV{NODE_PATH})
    set(P9_NODE_PATH $ENV{NODE_PATH})
  else()
    set(P9_NODE_PATH /usr/share/nodejs)
  endif()
  set(P9_WASM_DIR ${CMAKE_BINARY_DIR}/wasm)
  file(MAKE_DIRECTORY ${P9_WASM_DIR})
  set(P9_EMXX_RUN ${CMAKE_COMMAND} -E env NODE_PATH=${P9_NODE_PATH} ${P9_EMXX})
  set(P9_WASM_OBJECTS "")
  foreach(src IN LISTS P9_CORE_SOURCES ITEMS reference/wasm_smoke.cc)
    string(REPLACE "/" "_" obj ${src})
    set(obj ${P9_WASM_DIR}/${obj}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${P9_EMXX_RUN} -std=c++20 -O1 -Wall -Wextra -Wshadow -Werror -I${PROJECT_SOURCE_DIR}
              -MD -MF ${obj}.d -c ${PROJECT_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${PROJECT_SOURCE_DIR}/${src}
      DEPFILE ${obj}.d
      COMMENT "em++ ${src}"
      VERBATIM)
    list(APPEND P9_WASM_OBJECTS ${obj})
  endforeach()
  add_custom_command(
    OUTPUT ${P9_WASM_DIR}/wasm_smoke.js ${P9_WASM_DIR}/wasm_smoke.wasm
    COMMAND ${P9_EMXX_RUN} -O1 ${P9_WASM_OBJECTS} -sENVIRONMENT=node -sEXIT_RUNTIME=1 -sWASM_ASYNC_COMPILATION=0
            -o ${P9_WASM_DIR}/wasm_smoke.js
    DEPENDS ${P9_WASM_OBJECTS}
    COMMENT "em++ (link) wasm/wasm_smoke.js"
    VERBATIM)
  add_custom_target(wasm_smoke ALL DEPENDS ${P9_WASM_DIR}/wasm_smoke.js)
  add_test(NAME core.emscripten_build COMMAND ${P9_NODE} ${P9_WASM_DIR}/wasm_smoke.js)
  set_tests_properties(core.emscripten_build PROPERTIES ENVIRONMENT "NODE_PATH=${P9_NODE_PATH}")
endif()
set_tests_properties(core.emscripten_build PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 120)
