#!/bin/sh
# ctest traces.rules.*: rule rows of a trace deviation list (traces/FORMAT.md,
# "Deviation rules"; conformance/deviations/deviation_list.h).
#   listed     the committed list's stale-fid rule lists tr-rename-open's divergence
#              on the reference (by the rule, with its line), and without it the replay fails;
#              a rule for a --profile name lists a --start server's wrong answers
#   unused     a rule that applies to a replay and lists nothing is reported
#   malformed  a malformed rule stops the replay, naming the file and line
# usage: rules_test.sh MODE P9TRACE TRACES_DIR [P9FAULTY]
set -u
mode=$1 p9trace=$2 traces=$3 faulty=${4:-}
devs=$traces/deviations.md
dir=$(mktemp -d "${TMPDIR:-/tmp}/p9rules-test-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "FAIL ($mode): $*"
  exit 1
}
# run NAME ARGS...: p9trace's output in $dir/NAME.log, its exit status in $rc.
run() {
  name=$1
  shift
  "$p9trace" "$@" >"$dir/$name.log" 2>&1
  rc=$?
}
line_of() { grep -n -- "$1" "$devs" | head -1 | cut -d: -f1; }

case $mode in
listed)
  n=$(line_of '^| diod | Tlopen stale-fid |')
  [ -n "$n" ] || fail "no 'diod | Tlopen stale-fid' rule in $devs"
  run with replay "$traces/corpus/tr-rename-open.trace" --inprocess --deviations "$devs"
  cat "$dir/with.log"
  [ "$rc" -eq 0 ] || fail "the replay with the rule exited $rc"
  grep -q "^listed deviation x1: rule $devs:$n (diod | Tlopen stale-fid | Rlopen | Rlerror ENOENT | Linux-visible): " \
    "$dir/with.log" || fail "the divergence is not listed by the rule at line $n"
  grep -v '| Tlopen stale-fid |' "$devs" >"$dir/without.md"
  run without replay "$traces/corpus/tr-rename-open.trace" --inprocess --deviations "$dir/without.md"
  [ "$rc" -eq 1 ] && grep -q '^DIVERGENCE at #121 ' "$dir/without.log" ||
    { cat "$dir/without.log"; fail "without the rule the replay did not fail at #121 (exit $rc)"; }
  # A --profile name picks the rows of a server started here: p9faulty answers every Tstatfs with EIO.
  if [ -n "$faulty" ]; then
    # The committed list (its refusals of diod: the trace was recorded there) and one rule for the profile.
    { cat "$devs" && echo && printf '%s\n' '| target | request | reference reply | server reply | class | reason |' \
      '|---|---|---|---|---|---|' '| broken9p | Tstatfs | Rstatfs | Rlerror EIO | Linux-visible | p9faulty --wrong Tstatfs |'; } >"$dir/profile.md"
    p=$(grep -n '^| broken9p |' "$dir/profile.md" | cut -d: -f1)
    start="$faulty --listen tcp:127.0.0.1:{port} --wrong Tstatfs"
    run profile replay "$traces/corpus/tr-df-ls.trace" --start "$start" --profile broken9p --deviations "$dir/profile.md"
    cat "$dir/profile.log"
    [ "$rc" -eq 0 ] && grep -q "^listed deviation x[0-9]*: rule $dir/profile.md:$p (broken9p | Tstatfs" "$dir/profile.log" ||
      fail "the rule of profile broken9p did not list p9faulty's Tstatfs answers (exit $rc)"
    run other replay "$traces/corpus/tr-df-ls.trace" --start "$start" --profile other --deviations "$dir/profile.md"
    [ "$rc" -eq 1 ] || { cat "$dir/other.log"; fail "under another profile name the rule still applied (exit $rc)"; }
  fi
  ;;
unused)
  # tr-mv (recorded on diod) moves no file under an open fid: the stale-fid rules for diod list nothing.
  n=$(line_of '^| diod | Tgetattr stale-fid |')
  run unused replay "$traces/corpus/tr-mv.trace" --inprocess --deviations "$devs"
  cat "$dir/unused.log"
  [ "$rc" -eq 0 ] || fail "the replay exited $rc"
  grep -q "^unused rule $devs:$n (diod | Tgetattr stale-fid | Rgetattr | Rlerror ENOENT | Linux-visible): matched nothing" \
    "$dir/unused.log" || fail "the unused rule at line $n is not reported"
  grep -q '^unused rule .*(p9ref-posix, reference-posix | Txattrwalk' "$dir/unused.log" &&
    fail "a rule for other targets is reported as unused"
  ;;
malformed)
  printf '%s\n' '| target | request | reference reply | server reply | class | reason |' '|---|---|---|---|---|---|' \
    '| diod | Tgetattr | Rgetattr | Rlerror ENOENT | data | fine |' \
    '| diod | Twalkk | Rwalk | Rlerror ENOENT | data | a misspelt request |' >"$dir/bad.md"
  run bad replay "$traces/corpus/tr-mv.trace" --inprocess --deviations "$dir/bad.md"
  cat "$dir/bad.log"
  [ "$rc" -eq 2 ] || fail "a malformed rule did not stop the replay (exit $rc)"
  grep -q "^p9trace replay: $dir/bad.md:4: request 'Twalkk' is no request type" "$dir/bad.log" ||
    fail "the error does not name the file, the line and what is wrong"
  printf '%s\n' '| target | request | reference reply | server reply | class | reason |' '|---|---|---|---|---|---|' \
    '| diod | Tgetattr | Rgetattr | Rlerror ENOENT | data |' >"$dir/short.md"
  run short replay "$traces/corpus/tr-mv.trace" --inprocess --deviations "$dir/short.md"
  [ "$rc" -eq 2 ] && grep -q "^p9trace replay: $dir/short.md:3: a row needs 6 non-empty cells" "$dir/short.log" ||
    { cat "$dir/short.log"; fail "a rule with a missing cell was not refused with its line (exit $rc)"; }
  ;;
*)
  echo "usage: $0 listed|unused|malformed P9TRACE TRACES_DIR [P9FAULTY]" >&2
  exit 2
  ;;
esac
echo "ok ($mode)"
