#!/bin/sh
# loose-cp.sh MOUNTPOINT — cache=loose: cp -a a tree in and out, diff
# mount: cache=loose
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
S=/tmp/s; mkdir -p $S/a/b; seq 1 3000 > $S/a/n; echo hi > $S/a/b/h; ln -s n $S/a/l
mark cp_in
run cp_in cp -a $S $M/t
mark cp_out
run cp_out cp -a $M/t /tmp/back
run diff diff -r $S /tmp/back
mark rm
sync
run rm rm -rf $M/t
exit $rc
