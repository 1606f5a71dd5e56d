#!/bin/sh
# The conformance runner against a server that breaks (p9faulty): the run
# must finish and its certificate must say what broke.
#   certify_faulty.sh restart    crashes on Tlink, never answers Tremove and
#                                Trename, answers Tstatfs wrongly, freezes
#                                on Tfsync; restarted after each death
#   certify_faulty.sh norestart  crashes on Tlink, never restarted
# Environment: P9CONFORM, P9FAULTY (the programs), P9_REPORT_DIR.
set -u
mode=$1
report="$P9_REPORT_DIR/faulty-$mode.md"
out="$P9_REPORT_DIR/faulty-$mode.out"
status=0
fail() {
  echo "FAIL ($mode): $1" >&2
  status=1
}
# expect PATTERN WHAT: the certificate has a line matching PATTERN (grep -E).
expect() { grep -Eq -- "$1" "$report" || fail "the certificate does not say $2 (no line matching '$1')"; }
absent() { ! grep -Eq -- "$1" "$report" || fail "the certificate says $2: $(grep -E -m1 -- "$1" "$report")"; }
# The line number of the first line matching PATTERN, or 999999.
line_of() { n=$(grep -En -m1 -- "$1" "$report" | cut -d: -f1); echo "${n:-999999}"; }

export P9_REPORT="$report" P9_TIMEOUT=2 P9_PROFILE=faulty P9_DEVIATIONS=/dev/null
unset P9_TARGET
case $mode in
restart)
  export P9_START="$P9FAULTY --listen tcp:127.0.0.1:{port} --crash Tlink --silent Tremove,Trename --wrong Tstatfs --freeze Tfsync"
  ;;
norestart)
  export P9_START="$P9FAULTY --listen tcp:127.0.0.1:{port} --crash Tlink" P9_RESTARTS=0
  ;;
*)
  echo "usage: $0 restart|norestart" >&2
  exit 2
  ;;
esac
"$P9CONFORM" --gtest_brief=1 --gtest_output="xml:$P9_REPORT_DIR/faulty-$mode.xml" > "$out" 2>&1
rc=$?
[ -s "$report" ] || { echo "FAIL ($mode): no certificate written (exit $rc); output:" >&2; tail -30 "$out" >&2; exit 1; }
[ $rc -ne 0 ] || fail "p9conform exited 0 for a broken server"
expect '^\| verdict \| \*\*NOT CONFORMANT: crash/hang - [0-9]+ cases' "NOT CONFORMANT, the worst class (crash/hang) first"
# Findings by cause come first, then the deaths, then the groups.
[ "$(line_of '^## Findings')" -lt "$(line_of '^## The server died')" ] || fail "the findings do not open the certificate"
expect '^\| crash/hang \| Tlink: the server died \| [0-9]+ \| Link\.NlinkCountsNames' \
  "one finding for the Tlink crashes, with the first case that hit it"
expect '^Class: crash/hang; cause: Tlink: the server died' "the class and cause of the crashing case"
# Deaths come first, before the groups and the failures.
[ "$(line_of '^## The server died')" -lt "$(line_of '^## Groups')" ] ||
  fail "the deaths are not listed before the groups"
expect '^\| Link\.NlinkCountsNames \| was killed by signal 6 \(Aborted\)' "that the first Tlink case killed the server"
expect 'the server died during this case: was killed by signal 6' "why the crashing case failed"
expect '^    -> Tlink ' "the crashing case's exchange (its Tlink)"
# Cases the faults do not touch keep their real outcome.
expect '^\| Getattr\.RegularFileModeHasSIFREG \| passed \|' "that a case before the crash passed"
case $mode in
restart)
  expect '^\| Link\.BothNamesAreOneFile \| was killed by signal 6 \(Aborted\) \| restarted \|' \
    "that the server was restarted and killed again by the next Tlink case"
  expect '^\| Io\.WriteThenReadBack \| passed \|' "that a case after the crash passed"
  expect '\| [A-Za-z]+\.[A-Za-z]+ \| stopped answering \(no reply within 2000 ms\) \| restarted \|' \
    "that the frozen server was found not answering and restarted"
  [ "$(line_of '^## Never answered')" -lt "$(line_of '^## Groups')" ] ||
    fail "the never-answered types are not listed before the groups"
  for t in Tremove Trename Tfsync; do expect "^\| $t \| [^|]+, [^|]+ \| [0-9]+ \|" "that $t was never answered"; done
  absent '^\| (Tstatfs|Tlink) \| ' "a type that was answered is never answered"
  expect 'Tremove is never answered by this server \(no reply in ' "why a later Tremove case failed at once"
  expect 'actual:   Rlerror EIO' "the wrong answer to Tstatfs"
  expect '^\| Statfs\.FieldsAreSane \| FAILED \|' "that the Tstatfs case failed"
  expect '^\| Linux-visible \| Tstatfs: Rlerror EIO \| 4 \| Statfs\.' "one Linux-visible finding for the 4 Tstatfs cases"
  for t in Tremove Trename; do expect "^\| crash/hang \| $t: no reply \| [0-9]+ \|" "one crash/hang finding for $t"; done
  absent '^(/|\.\./).*_test\.cc:[0-9]+$' "a source path outside the repository's own naming"
  expect '^conformance/cases/misc_test\.cc:[0-9]+$' "repository-relative source paths"
  absent '\| not run: ' "cases not run although the server was restarted"
  ;;
norestart)
  expect '^\| Link\.NlinkCountsNames \| was killed by signal 6 \(Aborted\) \| not restarted' "that it was not restarted"
  expect '^\| crash/hang \| Tlink: the server died \| 1 \| Link\.NlinkCountsNames; follow-ons not run: [0-9]+ ' \
    "the cases not run after the death folded under the crash that caused them"
  expect '^\| Io\.WriteThenReadBack \| not run: the server died during Link\.NlinkCountsNames' \
    "that later cases were not run, and why"
  absent '^\| Io\.WriteThenReadBack \| FAILED' "a case after the death as the server's failure"
  [ "$(grep -c '^FAILED  ' "$out")" -eq 1 ] ||
    fail "$(grep -c '^FAILED  ' "$out") cases failed; only the one that killed the server should: $(grep '^FAILED  ' "$out" | head -5)"
  ;;
esac
# JUnit output carries each failure's class.
grep -Eq '(name="class" value="crash/hang"|class="crash/hang")' "$P9_REPORT_DIR/faulty-$mode.xml" ||
  fail "the JUnit output ($P9_REPORT_DIR/faulty-$mode.xml) carries no class property"
[ $status -eq 0 ] && echo "certify_faulty $mode: the certificate says what broke ($report)"
exit $status
