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

# em++ detection and the per-object compile rule: cmake/emscripten.cmake.
include(${PROJECT_SOURCE_DIR}/cmake/emscripten.cmake)

# The one list of core sources; editing it re-runs cmake.
set(P9_CORE_LIST ${PROJECT_SOURCE_DIR}/reference/core-sources.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${P9_CORE_LIST})
file(STRINGS ${P9_CORE_LIST} P9_CORE_SOURCES REGEX "^[^# \t]")

if(P9_WASM_SKIP)
  message(STATUS "Emscripten build of the core: ${P9_WASM_SKIP}")
  add_test(NAME core.emscripten_build COMMAND sh -c "echo '${P9_WASM_SKIP}'; exit 77")
else()
  set(P9_WASM_DIR ${CMAKE_BINARY_DIR}/wasm)
  p9_em_compile(P9_WASM_OBJECTS DIR ${P9_WASM_DIR} FLAGS -O1 SOURCES ${P9_CORE_SOURCES} reference/wasm_smoke.cc)
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
