#!/bin/sh
# p9stress against a server that breaks (p9faulty): it must fail, and its
# report must name what broke.
#   check_faulty.sh silent_flush   Tflush never answered: a violation naming Tflush
#   check_faulty.sh wrong_read     Tread answered Rlerror EIO: unexpected EIO errors
#                                  and files the final check cannot read
#   check_faulty.sh late_flush     p9lateflush: flushed requests answered after their
#                                  Rflush
# Environment: P9STRESS, P9FAULTY, P9LATEFLUSH (the programs), P9_REPORT_DIR.
set -u
mode=$1
report="$P9_REPORT_DIR/stress-faulty-$mode.md"
out="$P9_REPORT_DIR/stress-faulty-$mode.out"
# What the report should say and does not, one line each.
missing=""
expect() { grep -Eq -- "$1" "$report" || missing="$missing
  $2 (no line matching '$1')"; }
case $mode in
silent_flush) server="$P9FAULTY --listen tcp:127.0.0.1:{port} --silent Tflush" ;;
wrong_read) server="$P9FAULTY --listen tcp:127.0.0.1:{port} --wrong Tread" ;;
late_flush) server="$P9LATEFLUSH --port {port}" ;;
*)
  echo "usage: $0 silent_flush|wrong_read|late_flush" >&2
  exit 2
  ;;
esac
rm -f "$report"
unset P9_TARGET
export P9_START="$server"
"$P9STRESS" --clients 2 --seconds 2 --timeout 1 --report "$report" > "$out" 2>&1
rc=$?
[ -s "$report" ] || { echo "FAIL ($mode): no report written (exit $rc); output:" >&2; tail -30 "$out" >&2; exit 1; }
[ $rc -eq 1 ] || missing="$missing
  an exit status of 1 for a broken server (it exited $rc)"
expect '^\| result \| \*\*FAILED\*\* \|' "the result FAILED"
case $mode in
silent_flush)
  expect '^- \*\*request never answered\*\*: client [0-9]+: Tflush: no reply within 1000 ms' \
    "that a Tflush was never answered"
  expect '^    -> Tflush ' "the exchange with the unanswered Tflush"
  expect '^- c[0-9]+: not checked, the client stopped' "that the stopped client's tree was not checked"
  ;;
wrong_read)
  expect '^\| EIO \| read \| [0-9]+ \| \*\*unexpected\*\* \|' "the unexpected EIO of Tread, by errno and operation"
  expect '^- c[0-9]+/f[0-9]+: cannot read it' "that the final check could not read a client's file"
  ;;
late_flush)
  expect '^- \*\*flushed request answered after its Rflush\*\*: client [0-9]+: R[a-z]+ tag=[0-9]+' \
    "that a flushed request was answered after its Rflush"
  expect '^    <- Rflush tag=' "the exchange with the early Rflush"
  ;;
esac
if [ -n "$missing" ]; then
  echo "FAIL ($mode): p9stress against $server did not give$missing" >&2
  exit 1
fi
echo "check_faulty $mode: p9stress reports what broke ($report)"
