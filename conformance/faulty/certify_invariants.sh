#!/bin/sh
# The in-process runner against a backend with one planted bug
# (conformance/harness/planted_bug.h: Symlink.DanglingTargetIsFine leaves its
# invariants broken): the case that broke them fails, and only it.
#   - inprocess:planted-invariant-bug: a fresh backend after it; every other
#     case keeps the outcome it has on the plain model (inprocess:model);
#   - inprocess:planted-invariant-bug-nofresh: no fresh backend can be made;
#     later cases are "not run", folded under the cause, not failures.
# A few groups around the breaking case, so that cases run before and after it.
# Environment: P9CONFORM (the program), P9_REPORT_DIR.
set -u
dir="$P9_REPORT_DIR/invariants"
mkdir -p "$dir"
breaker=Symlink.DanglingTargetIsFine
. "$(dirname "$0")/quick_run.sh"
run() { quick_run "$1" "$2" 'Mkdir.*:Symlink.*:Readlink.*:Link.*'; }
# The every-case table's "case | outcome" pairs, one per line, in run order.
outcomes() { sed -n '/^## Every case/,$p' "$1" | grep -E '^\| [A-Za-z]+\.[A-Za-z]+ \|' | cut -d'|' -f2,3; }
failed() { grep -c '^FAILED  ' "$1"; }

run plain inprocess:model
[ "$(failed "$dir/plain.out")" -eq 0 ] || fail "the plain model fails cases: $(grep '^FAILED  ' "$dir/plain.out")"
outcomes "$dir/plain.md" | grep -q "$breaker" || fail "the plain run has no $breaker"

# A fresh backend after the breaking case.
run fresh inprocess:planted-invariant-bug
report="$dir/fresh.md"
[ "$rc" -ne 0 ] || fail "p9conform exited 0 although a case broke the backend's invariants"
[ "$(failed "$dir/fresh.out")" -eq 1 ] && grep -q "^FAILED  $breaker\$" "$dir/fresh.out" ||
  fail "want exactly $breaker failed; failed: $(grep '^FAILED  ' "$dir/fresh.out" | tr '\n' ' ')"
grep -Eq "^\| data \| backend invariants broken after the case \| 1 \| $breaker \|" "$report" ||
  fail "the certificate has no data finding 'backend invariants broken after the case' for $breaker alone"
grep -q "^\[ FRESH BACKEND \] after $breaker" "$dir/fresh.out" || fail "no fresh backend was made after $breaker"
# Every other case: the same outcome as on the plain model.
outcomes "$dir/plain.md" | grep -v "$breaker" > "$dir/plain.others"
outcomes "$report" | grep -v "$breaker" > "$dir/fresh.others"
[ -s "$dir/plain.others" ] && cmp -s "$dir/plain.others" "$dir/fresh.others" ||
  fail "other cases' outcomes differ from the plain model's: $(diff "$dir/plain.others" "$dir/fresh.others" | head -5)"

# No fresh backend: later cases are follow-ons, not failures.
run nofresh inprocess:planted-invariant-bug-nofresh
report="$dir/nofresh.md"
[ "$rc" -ne 0 ] || fail "p9conform exited 0 (nofresh)"
[ "$(failed "$dir/nofresh.out")" -eq 1 ] ||
  fail "nofresh: want only $breaker failed; failed: $(grep '^FAILED  ' "$dir/nofresh.out" | tr '\n' ' ')"
after=$(outcomes "$report" | sed -n "/$breaker/,\$p" | sed 1d)
before=$(outcomes "$report" | sed "/$breaker/,\$d")
[ -n "$after" ] && [ -n "$before" ] || fail "nofresh: want cases both before and after $breaker"
n_after=$(echo "$after" | wc -l)
[ "$(echo "$after" | grep -c "not run: follow-on of $breaker: backend invariants broken")" -eq "$n_after" ] ||
  fail "nofresh: a case after $breaker is not a follow-on: $(echo "$after" | grep -v 'follow-on of' | head -1)"
[ "$before" = "$(outcomes "$dir/plain.md" | sed "/$breaker/,\$d")" ] ||
  fail "nofresh: the cases before $breaker do not keep their plain outcomes"
grep -Eq "^\| data \| backend invariants broken after the case \| 1 \| $breaker; follow-ons not run: $n_after \(" "$report" ||
  fail "nofresh: the finding does not fold the $n_after follow-ons under $breaker"
grep -Eq "^\| cases \| .* 1 failed, .* $n_after not run\) \|" "$report" ||
  fail "nofresh: the head does not count 1 failed and $n_after not run"
[ $status -eq 0 ] && echo "certify_invariants: only $breaker failed; others judged on their own ($dir)"
exit $status
