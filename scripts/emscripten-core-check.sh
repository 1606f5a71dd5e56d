#!/bin/sh
# Builds the server core (reference/core-sources.txt) with Debian's Emscripten
# (em++ 3.1.6, clang 14, libc++ 13) with warnings as errors, links the smoke
# program reference/wasm_smoke.cc, and runs it under node.
# Exit 77 (skipped) when em++ or node is missing: apt-get install emscripten nodejs.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/build/wasm}
command -v em++ >/dev/null || { echo "skipped: em++ not found (apt-get install emscripten)"; exit 77; }
command -v node >/dev/null || { echo "skipped: node not found"; exit 77; }
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
mkdir -p "$OUT"
objs=""
for s in $(cat "$SRC/reference/core-sources.txt") reference/wasm_smoke.cc; do
  o="$OUT/$(echo "$s" | tr / _).o"
  em++ -std=c++20 -O1 -Wall -Wextra -Wshadow -Werror -I"$SRC" -c "$SRC/$s" -o "$o"
  objs="$objs $o"
done
# shellcheck disable=SC2086
em++ -O1 $objs -sENVIRONMENT=node -sEXIT_RUNTIME=1 -sWASM_ASYNC_COMPILATION=0 -o "$OUT/wasm_smoke.js"
node "$OUT/wasm_smoke.js"
