#!/bin/sh
# loose-edit.sh MOUNTPOINT — cache=loose: write, append, read back, rename, truncate, stat
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
mkdir $M/le
mark write
seq 1 5000 > $M/le/f
check read "$(seq 1 5000 | md5sum)" "$(md5sum < $M/le/f)"
mark append
echo tail >> $M/le/f
check tail tail "$(tail -n1 $M/le/f)"
mark rename
run rename mv $M/le/f $M/le/g
mark truncate
run truncate truncate -s 10 $M/le/g
check size 10 "$(stat -c %s $M/le/g)"
mark sync
sync
rm -rf $M/le
exit $rc
