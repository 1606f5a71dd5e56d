#!/bin/sh
# ctest conformance.differential.rules: rule rows in differential mode
# (p9conform-diff; deviations.md, "Differential mode"). The suite's Statfs
# and Getattr cases are recorded on the reference (in process) and on
# p9faulty, which answers every Tstatfs with Rlerror EIO. A rule for the
# differential id makes the Statfs differences known deviations, naming the
# rule; a rule for the --also id does too; a rule that matched nothing is
# printed as unused, another target's rule is neither applied nor printed;
# without the rules the differences are unexpected (exit 1).
# Environment: P9CONFORM, P9CONFORM_DIFF, P9FAULTY (the programs).
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/p9diffrules-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
status=0
fail() {
  echo "FAIL: $1" >&2
  status=1
}
expect() { grep -Eq -- "$1" "$2" || fail "$3 (no line matching '$1' in $2)"; }
filter='Statfs.*:Getattr.*'
mkdir "$dir/ref" "$dir/other"
unset P9_TARGET P9_START P9_PROFILE P9_DEVIATIONS
P9_TARGET=inprocess:model P9_RECORD_DIR="$dir/ref" P9_REPORT="$dir/ref.md" \
  "$P9CONFORM" --gtest_brief=1 --gtest_filter="$filter" >"$dir/ref.log" 2>&1
P9_TIMEOUT=2 P9_START="$P9FAULTY --listen tcp:127.0.0.1:{port} --wrong Tstatfs" P9_RECORD_DIR="$dir/other" \
  P9_REPORT="$dir/other.md" P9_DEVIATIONS=/dev/null "$P9CONFORM" --profile faulty-diff --gtest_brief=1 \
  --gtest_filter="$filter" >"$dir/other.log" 2>&1
ls "$dir/other" | grep -q '^Statfs\..*\.frames$' || { tail -20 "$dir/other.log" >&2; echo "FAIL: no recording of p9faulty" >&2; exit 1; }
list="$dir/list.md"
cat >"$list" <<'LIST'
| target | request | reference reply | server reply | class | reason |
|---|---|---|---|---|---|
| differential:faulty | Tstatfs | Rstatfs | Rlerror EIO | Linux-visible | p9faulty --wrong Tstatfs answers EIO |
| differential:faulty | Tlink | Rlink | Rlerror EIO | hostile-only | never happens here: printed as unused |
| another-server | Tstatfs | * | * | errno number only | another target's rule: neither applied nor printed |
LIST
"$P9CONFORM_DIFF" "$dir/ref" "$dir/other" --deviations "$list" --target differential:faulty >"$dir/with.out" 2>&1
rc=$?
cat "$dir/with.out"
[ $rc -eq 0 ] || fail "p9conform-diff exited $rc although the rule lists every difference"
expect '^KNOWN DEVIATION Statfs\.' "$dir/with.out" "a Statfs case as a known deviation"
expect "^      by rule $list:3 \(differential:faulty \| Tstatfs \| Rstatfs \| Rlerror EIO \| Linux-visible\): p9faulty" \
  "$dir/with.out" "the rule that listed it, with its line"
expect "^UNUSED RULE     $list:4 \(differential:faulty \| Tlink" "$dir/with.out" "the unused rule"
grep -q "$list:5" "$dir/with.out" && fail "another target's rule was applied or printed"
expect '1 unused rules$' "$dir/with.out" "the count of unused rules in the summary"
# The same rule for the target's conformance id, through --also.
sed 's/^| differential:faulty |/| faulty-diff |/' "$list" >"$list.also"
"$P9CONFORM_DIFF" "$dir/ref" "$dir/other" --deviations "$list.also" --target differential:faulty --also faulty-diff \
  >"$dir/also.out" 2>&1 || fail "with the rule for the --also id p9conform-diff failed"
expect "^      by rule $list.also:3 \(faulty-diff \| Tstatfs" "$dir/also.out" "the --also id's rule"
# Without the rules the differences are unexpected.
"$P9CONFORM_DIFF" "$dir/ref" "$dir/other" --deviations /dev/null --target differential:faulty >"$dir/none.out" 2>&1 &&
  fail "without the rules p9conform-diff passed"
expect '^DIFFERS +Statfs\.' "$dir/none.out" "that a Statfs case differs without the rule"
[ $status -eq 0 ] && echo "differential_rules: rule rows list differences by request and reply"
exit $status
