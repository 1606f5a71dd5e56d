#!/bin/bash
# Runs each libFuzzer target for a bounded time (default 30 s each) on the
# committed corpus plus a scratch directory, and prints exec/s.
#   fuzz/run.sh [SECONDS] [TARGET...]
# New inputs land in build-fuzz/new/<target> (libFuzzer writes into its first
# corpus directory); to keep one, minimise it and copy it into fuzz/corpus/<target>/.
# FUZZ_FLAVOR=plain builds libFuzzer alone (-O2, no sanitizers) into
# build-fuzz-plain: the throughput figure of fuzz/README.md. The default
# (asan) adds ASan + UBSan, the build that finds bugs.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-30}; shift || true
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_decode fuzz_server fuzz_diff fuzz_wasi)
case "${FUZZ_FLAVOR:-asan}" in
  asan) OUT=${OUT:-$SRC/build-fuzz} ;;
  plain)
    export CXXFLAGS="-O2 -g -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
    OUT=${OUT:-$SRC/build-fuzz-plain} ;;
  *) echo "fuzz/run.sh: FUZZ_FLAVOR is asan or plain" >&2; exit 2 ;;
esac
OUT=$OUT "$SRC/fuzz/build.sh"
status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "$OUT/new/$t"
  echo "fuzz/run.sh: $t for ${SECS}s" >&2
  dict=(-dict="$SRC/fuzz/p9.dict")   # 9P's words; fuzz_wasi's input is numbers
  [ "$t" != fuzz_wasi ] || dict=()
  if ! "$OUT/$t" -max_total_time="$SECS" "${dict[@]}" -print_final_stats=1 \
        -artifact_prefix="$OUT/new/$t-" "$OUT/new/$t" "$SRC/fuzz/corpus/$t" 2> "$OUT/$t.log"; then
    echo "fuzz/run.sh: $t FOUND A CRASH; see $OUT/$t.log and the artifact in $OUT/new/" >&2
    tail -30 "$OUT/$t.log" >&2
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$' || echo 0)
  echo "$t: $execs executions in ${SECS}s = $((execs / SECS)) exec/s"
done
exit $status
