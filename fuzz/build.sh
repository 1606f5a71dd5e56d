#!/bin/bash
# Builds the fuzz targets the OSS-Fuzz / ClusterFuzzLite way: honours $CC, $CXX,
# $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE and $OUT; writes $OUT/<target>,
# $OUT/<target>.dict and $OUT/<target>_seed_corpus.zip.
# Outside OSS-Fuzz it defaults to clang++-14 with libFuzzer + ASan + UBSan:
#   OUT=build-fuzz fuzz/build.sh
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${CXX:=clang++-14}"
: "${CXXFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fsanitize=fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer,address,undefined}"
: "${OUT:=$SRC/build-fuzz}"
mkdir -p "$OUT"
command -v "$CXX" >/dev/null || { echo "fuzz/build.sh: $CXX not found (apt-get install clang-14 libfuzzer-14-dev)" >&2; exit 1; }

codec="spec/linux.cc spec/protocol.cc reference/codec/codec.cc reference/codec/printer.cc"
server=$(cat "$SRC/reference/core-sources.txt")  # the whole server core
wasi="reference/wasi/errno.cc reference/wasi/dirent.cc reference/wasi/host.cc reference/wasi/random_calls.cc"
# A target's coverage ignore list (fuzz/<target>.ignorelist), for compilers that
# take one; P9_FUZZ_FULL_COVERAGE=1 instruments everything (slower, but steers
# by the printer's and encoder's paths too).
coverage_flags() {  # target
  local list="$SRC/fuzz/$1.ignorelist"
  [ -f "$list" ] && [ "${P9_FUZZ_FULL_COVERAGE:-0}" != 1 ] || return 0
  # shellcheck disable=SC2086
  if echo 'int x;' | $CXX $CXXFLAGS -fsanitize-coverage-ignorelist="$list" -x c++ -c - -o /dev/null 2>/dev/null; then
    echo "-fsanitize-coverage-ignorelist=$list"
  fi
}
build() {  # target sources...
  local name=$1; shift
  echo "fuzz/build.sh: building $name" >&2
  local objs=() cov
  cov=$(coverage_flags "$name")
  for s in "$@"; do
    local o="$OUT/obj/$name/${s//\//_}.o"
    mkdir -p "$(dirname "$o")"
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS $cov -std=c++20 -I"$SRC" -c "$SRC/$s" -o "$o"
    objs+=("$o")
  done
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$name"
  cp "$SRC/fuzz/p9.dict" "$OUT/$name.dict"
  (cd "$SRC/fuzz/corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" . 2>/dev/null) || true
}
build fuzz_decode fuzz/fuzz_decode.cc $codec
build fuzz_server fuzz/fuzz_server.cc $server
build fuzz_diff fuzz/fuzz_diff.cc $server reference/posix/posix_backend.cc conformance/diff/normalize.cc
build fuzz_wasi fuzz/fuzz_wasi.cc $server reference/posix/posix_backend.cc $wasi
echo "fuzz/build.sh: built into $OUT" >&2
