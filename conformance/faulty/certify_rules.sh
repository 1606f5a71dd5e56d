#!/bin/sh
# ctest conformance.rules: rule rows of the deviation list (deviations.md,
# "Rules"; conformance/deviations/deviation_list.h) in a conformance run.
# p9faulty answers every Tstatfs with Rlerror EIO; a rule for its profile
# name (given as p9conform --profile) makes those failures known deviations,
# counted in the verdict by the rule's class; a rule that matched nothing is
# reported as unused (console, Markdown and HTML certificate); without the rule the same cases fail; a malformed rule
# stops the run, naming its file and line. On diod (when it
# can be run), whose fids are host paths, a stale-fid rule for Tgetattr lists
# getattr of a fid whose file was unlinked, and leaves a Tsetattr failure failed.
# Environment: P9CONFORM, P9FAULTY (the programs), P9_REPORT_DIR.
set -u
report="$P9_REPORT_DIR/rules.md"
out="$P9_REPORT_DIR/rules.out"
list="$P9_REPORT_DIR/rules-list.md"
status=0
fail() {
  echo "FAIL: $1" >&2
  status=1
}
expect() { grep -Eq -- "$1" "$2" || fail "$3 (no line matching '$1' in $2)"; }
cat >"$list" <<'LIST'
| target | request | reference reply | server reply | class | reason |
|---|---|---|---|---|---|
| faulty-rules | Tstatfs | Rstatfs | Rlerror EIO | Linux-visible | p9faulty --wrong Tstatfs answers EIO |
| faulty-rules | Tlink | Rlink | Rlerror EIO | hostile-only | never happens here: reported as unused |
| another-server | Tstatfs | * | * | errno number only | another target's rule: neither applied nor reported |
LIST
export P9_TIMEOUT=2 P9_DEVIATIONS="$list" P9_REPORT="$report"
export P9_START="$P9FAULTY --listen tcp:127.0.0.1:{port} --wrong Tstatfs"
unset P9_TARGET P9_PROFILE
"$P9CONFORM" --profile faulty-rules --gtest_brief=1 --gtest_filter='Statfs.*:Getattr.*' >"$out" 2>&1
rc=$?
[ -s "$report" ] || { tail -30 "$out" >&2; echo "FAIL: no certificate written (exit $rc)" >&2; exit 1; }
[ $rc -eq 0 ] || fail "p9conform exited $rc although every failure is listed by a rule"
expect '^\| profile \| faulty-rules' "$report" "the profile named on the command line"
expect '^\| verdict \| \*\*NOT CONFORMANT: Linux-visible - [1-9][0-9]* cases \([1-9][0-9]* known deviations\)\*\*' "$report" \
  "NOT CONFORMANT by the rule's class (Linux-visible), the cases counted as known deviations"
expect '^\| Statfs\.FieldsAreSane \| known deviation' "$report" "that the Tstatfs case is a known deviation"
expect "known deviation: rule $list:3: p9faulty --wrong Tstatfs" "$report" "the rule that listed it"
expect "^- $list:4: faulty-rules \| Tlink" "$report" "the unused rule, with its line"
expect "^UNUSED RULE $list:4: " "$out" "the unused rule on the console"
expect "^<li><code>$list:4: faulty-rules \| Tlink" "${report%.md}.html" "the unused rule in the HTML certificate"
grep -q "$list:3" "${report%.md}.html" && grep -q "<li><code>$list:3" "${report%.md}.html" &&
  fail "a used rule is listed as unused in the HTML certificate"
grep -q "$list:5" "$report" "$out" && fail "another target's rule is reported"
# Without the rules the same cases fail.
P9_DEVIATIONS=/dev/null P9_REPORT="$P9_REPORT_DIR/rules-none.md" \
  "$P9CONFORM" --profile faulty-rules --gtest_brief=1 --gtest_filter='Statfs.*' >"$out.none" 2>&1 &&
  fail "without the rules p9conform passed"
expect '^\| Statfs\.FieldsAreSane \| FAILED' "$P9_REPORT_DIR/rules-none.md" "that the case fails without the rule"
# A malformed rule stops the run before any case, naming the file and line.
printf '%s\n' '| target | request | reference reply | server reply | class | reason |' '|---|---|---|---|---|---|' \
  '| faulty-rules | Tstatfs | Rstatfs | Rlerror EIO | fatal | no such class |' >"$list.bad"
P9_DEVIATIONS="$list.bad" "$P9CONFORM" --profile faulty-rules --gtest_filter='Statfs.*' >"$out.bad" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "a malformed rule did not stop p9conform (exit $rc)"
expect "^p9conform: $list.bad:3: class 'fatal' is none of" "$out.bad" "the malformed rule's file, line and what is wrong"
# diod: the stale-fid qualifier, judged on the case's own exchanges.
if command -v diod >/dev/null 2>&1 || [ -x /usr/sbin/diod ]; then
  cat >"$list" <<'LIST'
| target | request | reference reply | server reply | class | reason |
|---|---|---|---|---|---|
| diod | Tgetattr stale-fid | Rgetattr | Rlerror ENOENT | Linux-visible | diod's fids are host paths |
LIST
  unset P9_START
  P9_TARGET=diod P9_REPORT="$P9_REPORT_DIR/rules-diod.md" "$P9CONFORM" --gtest_brief=1 \
    --gtest_filter='Unlinked.GetattrShowsNlinkZero:Unlinked.UnopenedFidGetattrWorks:Setattr.ThroughAFidAfterRename' \
    >"$out.diod" 2>&1
  d="$P9_REPORT_DIR/rules-diod.md"
  for c in GetattrShowsNlinkZero UnopenedFidGetattrWorks; do
    expect "^\| Unlinked\.$c \| known deviation: rule $list:3: diod's fids are host paths" "$d" \
      "that Unlinked.$c (getattr of an unlinked file's fid) is listed by the stale-fid rule"
  done
  expect '^\| Setattr\.ThroughAFidAfterRename \| FAILED' "$d" "that a Tsetattr failure is not listed by a Tgetattr rule"
else
  echo "certify_rules: diod not installed: the stale-fid part not run"
fi
[ $status -eq 0 ] && echo "certify_rules: rule rows list failures by request and reply ($report)"
exit $status
