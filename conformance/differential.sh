#!/bin/sh
# Differential mode: runs the conformance suite against two targets, recording
# every frame of each case, and compares the replies case by case after
# normalisation (p9conform-diff). Differences are listed per case; with a
# deviation-list id, differences in listed cases are known deviations.
#   conformance/differential.sh REF_TARGET OTHER_TARGET [DEVIATION_ID [ALSO_ID]]
# ALSO_ID: the target's conformance deviation id (a case listed there differs for a known reason).
# e.g. conformance/differential.sh p9ref:model p9ref:posix
#      conformance/differential.sh inprocess:model diod differential:diod diod
# Needs P9CONFORM, P9CONFORM_DIFF and P9REF (set by ctest), or a build in build/.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${P9CONFORM:=$SRC/build/bin/p9conform}" "${P9CONFORM_DIFF:=$SRC/build/bin/p9conform-diff}" "${P9REF:=$SRC/build/bin/p9ref}"
export P9REF
ref=$1 other=$2 id=${3:-none} also=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/ref" "$work/other"
run_side() {  # side target [msize]
  echo "differential: running the suite against $2${3:+ at msize $3} ..."
  # The suite's own verdict is not the point here (a diod run has deviations); the recordings are.
  rc=0
  P9_MSIZE=${3:-} P9_TARGET=$2 P9_RECORD_DIR="$work/$1" P9_REPORT="$work/$1.md" "$P9CONFORM" --gtest_brief=1 > "$work/$1.log" 2>&1 || rc=$?
  if [ "$rc" = 77 ]; then  # P9_SKIP_IF_UNAVAILABLE=1 and the target cannot exist here (e.g. diod not installed)
    cat "$work/$1.log"; echo "differential: skipped: $2 is not available on this machine" >&2; exit 77
  fi
  grep '^total' "$work/$1.log" || { tail -20 "$work/$1.log"; echo "differential: the run against $2 did not finish" >&2; exit 2; }
}
# The other target first: the reference then runs at the msize the other one
# negotiated (diod caps it at 65536), so counts bounded by msize compare equal.
run_side other "$other"
msize=$("$P9CONFORM_DIFF" --negotiated-msize "$work/other")
run_side ref "$ref" "$msize"
if [ -n "$also" ]; then
  "$P9CONFORM_DIFF" "$work/ref" "$work/other" --deviations "$SRC/conformance/deviations.md" --target "$id" --also "$also"
else
  "$P9CONFORM_DIFF" "$work/ref" "$work/other" --deviations "$SRC/conformance/deviations.md" --target "$id"
fi
