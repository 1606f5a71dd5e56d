# Compiling with Emscripten (Debian's em++ 3.1.6: clang 14, libc++ 13), shared by
# every wasm build in the tree (reference/emscripten.cmake: the core's smoke
# test; opfs/CMakeLists.txt: the OPFS production build).
#
# Sets, once:
#   P9_WASM_SKIP   "" when em++ and node are usable, else why not ("skipped: ...")
#   P9_EMXX_RUN    the em++ command line prefix (em++ runs node for its
#                  JavaScript steps and finds node's packages through NODE_PATH)
#   P9_NODE, P9_NODE_PATH
# and defines
#   p9_em_compile(<out-var> DIR <dir> FLAGS <flags...> SOURCES <sources...>)
#     one add_custom_command per source (relative to the top source dir),
#     each with its depfile, so ninja recompiles only what changed; the object
#     paths go to <out-var>. Warnings are errors; -std=c++20 is always passed
#     (em++ 3.1.6 defaults to gnu++14).
include_guard(GLOBAL)

option(P9_EMSCRIPTEN "Build the core with em++ and run it under node (when both are installed)" ON)

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

if(DEFINED ENV{NODE_PATH})
  set(P9_NODE_PATH $ENV{NODE_PATH})
else()
  set(P9_NODE_PATH /usr/share/nodejs)
endif()
set(P9_EMXX_RUN ${CMAKE_COMMAND} -E env NODE_PATH=${P9_NODE_PATH} ${P9_EMXX})

function(p9_em_compile out_var)
  cmake_parse_arguments(PARSE_ARGV 1 EM "" "DIR" "FLAGS;SOURCES")
  file(MAKE_DIRECTORY ${EM_DIR})
  set(objects "")
  foreach(src IN LISTS EM_SOURCES)
    string(REPLACE "/" "_" obj ${src})
    set(obj ${EM_DIR}/${obj}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${P9_EMXX_RUN} -std=c++20 ${EM_FLAGS} -Wall -Wextra -Wshadow -Werror -I${PROJECT_SOURCE_DIR}
              -MD -MF ${obj}.d -c ${PROJECT_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${PROJECT_SOURCE_DIR}/${src}
      DEPFILE ${obj}.d
      COMMENT "em++ ${src}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(${out_var} ${objects} PARENT_SCOPE)
endfunction()
