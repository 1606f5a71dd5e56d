#!/bin/sh
# truncate.sh MOUNTPOINT — truncate grow/shrink, holes, zero size
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
seq 1 1000 > $M/tr
mark shrink
run shrink truncate -s 100 $M/tr
check size100 100 "$(stat -c %s $M/tr)"
mark grow
run grow truncate -s 300000 $M/tr
check size300k 300000 "$(stat -c %s $M/tr)"
check hole 0 "$(tail -c 1000 $M/tr | tr -d '\0' | wc -c)"
mark zero
run zero truncate -s 0 $M/tr
check size0 0 "$(stat -c %s $M/tr)"
mark redirect
echo abc > $M/tr; : > $M/tr
check trunc_open 0 "$(stat -c %s $M/tr)"
rm $M/tr
exit $rc
