#!/bin/sh
# Checks the verdict line of a certificate written by another ctest test.
#   check_verdict.sh REPORT 'PATTERN' (grep -E, matched against the verdict cell)
report=$1
pattern=$2
# No certificate: its target was skipped on this machine (exit 77: ctest reports skipped).
[ -s "$report" ] || { echo "skipped: no certificate at $report (its conformance test was skipped)" >&2; exit 77; }
verdict=$(grep -E -m1 '^\| verdict \| ' "$report" | sed 's/^| verdict | \*\*//; s/\*\* |$//')
if echo "$verdict" | grep -Eq -- "$pattern"; then
  echo "verdict of $report: $verdict"
  exit 0
fi
echo "FAIL: the verdict of $report is '$verdict', which does not match '$pattern'" >&2
exit 1
