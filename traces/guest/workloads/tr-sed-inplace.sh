#!/bin/sh
# sed-inplace.sh MOUNTPOINT — sed -i (temp file + rename over the original), cmp, wc
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/s; seq 1 2000 > $M/s/f; chmod 0640 $M/s/f
mark sed_i
run sed_i sed -i 's/5/five/g' $M/s/f
check sed "$(seq 1 2000 | sed 's/5/five/g' | md5sum)" "$(md5sum < $M/s/f)"
check mode_kept 640 "$(stat -c %a $M/s/f)"
mark wc
check wc 2000 "$(wc -l < $M/s/f)"
mark leftovers
check leftovers f "$(ls $M/s)"
rm -rf $M/s
exit $rc
