#!/bin/sh
# ctest traces.reduce.BUG: p9trace reduce on a committed trace and a planted
# bug (traces/p9trace/planted.cc) ends with at most MAX requests, twice the
# same trace (deterministic), and that trace diverges on the bug and replays
# clean on the reference.
# usage: reduce_test.sh P9TRACE TRACE BUG MAX DEVIATIONS
set -u
p9trace=$1 trace=$2 bug=$3 max=$4 devs=$5
dir=$(mktemp -d "${TMPDIR:-/tmp}/p9reduce-test-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for run in a b; do
  "$p9trace" reduce "$trace" --target "inprocess:bug:$bug" --deviations "$devs" -o "$dir/$run" >"$dir/$run.log" 2>&1 ||
    { cat "$dir/$run.log"; fail "reduce exited $? (run $run)"; }
done
grep -E '^(reduce|minimal|stopped)' "$dir/a.log"
grep -q '^minimal:' "$dir/a.log" || fail "reduce stopped before a minimal result"
cmp -s "$dir/a.trace" "$dir/b.trace" || { diff "$dir/a.trace" "$dir/b.trace"; fail "two runs gave different traces"; }
n=$(grep -c '^[0-9]* C ' "$dir/a.trace")
[ "$n" -le "$max" ] || fail "$n requests, more than $max"
grep -q 'TEST_F(Reduced, ' "$dir/a.cc" || fail "no conformance case written"

"$p9trace" replay "$dir/a.trace" --target "inprocess:bug:$bug" --deviations "$devs" >"$dir/bug.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q '^DIVERGENCE' "$dir/bug.log" || { cat "$dir/bug.log"; fail "the reduced trace does not diverge on the bug (exit $rc)"; }
"$p9trace" replay "$dir/a.trace" --inprocess --deviations "$devs" >"$dir/ref.log" 2>&1 ||
  { cat "$dir/ref.log"; fail "the reduced trace does not replay clean on the reference"; }
echo "ok: $n requests, diverges on $bug, clean on the reference"
