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
for side in ref other; do
  t=$ref; [ $side = other ] && t=$other
  echo "differential: running the suite against $t ..."
  # The suite's own verdict is not the point here (a diod run has deviations); the recordings are.
  P9_TARGET=$t P9_RECORD_DIR="$work/$side" P9_REPORT="$work/$side.md" "$P9CONFORM" --gtest_brief=1 > "$work/$side.log" 2>&1 || true
  grep '^total' "$work/$side.log" || { tail -20 "$work/$side.log"; echo "differential: the run against $t did not finish" >&2; exit 2; }
done
if [ -n "$also" ]; then
  "$P9CONFORM_DIFF" "$work/ref" "$work/other" --deviations "$SRC/conformance/deviations.md" --target "$id" --also "$also"
else
  "$P9CONFORM_DIFF" "$work/ref" "$work/other" --deviations "$SRC/conformance/deviations.md" --target "$id"
fi
