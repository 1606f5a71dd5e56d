#!/bin/sh
# cp-a.sh MOUNTPOINT — cp -a of a small tree into the mount and back
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
S=/tmp/src; rm -rf $S; mkdir -p $S/d1/d2
seq 1 500 > $S/numbers; echo hello > $S/d1/h; printf 'x%.0s' $(seq 1 100) > $S/d1/d2/x
ln -s numbers $S/link; chmod 0750 $S/d1; chmod 0600 $S/numbers
mark cp_in
run cp_in cp -a $S $M/tree
check mode 600 "$(stat -c %a $M/tree/numbers)"
check dmode 750 "$(stat -c %a $M/tree/d1)"
check link numbers "$(readlink $M/tree/link)"
mark cp_out
run cp_out cp -a $M/tree /tmp/back
run diff diff -r $S /tmp/back
mark cleanup
run rm rm -rf $M/tree
exit $rc
