#!/bin/sh
# make-seeds.sh [--check] P9TRACE
# Writes fuzz/corpus/fuzz_server/trace-NAME for every traces/corpus/NAME.trace
# (p9trace seeds: the client's frames after Tversion/Tattach, <= 64 KiB).
# --check: fail if a committed seed is missing or differs (the ctest).
set -eu
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
p9trace=${1:?usage: make-seeds.sh [--check] P9TRACE}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../fuzz/corpus/fuzz_server
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for t in "$here"/corpus/*.trace; do
  [ -e "$t" ] || continue
  n=$(basename "$t" .trace)
  "$p9trace" seeds "$t" "$tmp/trace-$n" 2>/dev/null
  if [ $check = 1 ]; then
    cmp -s "$tmp/trace-$n" "$out/trace-$n" || { echo "stale or missing seed: fuzz/corpus/fuzz_server/trace-$n (run traces/make-seeds.sh $p9trace)"; rc=1; }
  else
    cp "$tmp/trace-$n" "$out/trace-$n"
    echo "fuzz/corpus/fuzz_server/trace-$n: $(wc -c <"$out/trace-$n") bytes"
  fi
done
exit $rc
