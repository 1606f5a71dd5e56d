#!/bin/sh
# mmap-rw.sh MOUNTPOINT — cache=mmap: write, overwrite in place, read, sed -i
# mount: cache=mmap
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/mm
mark write
seq 1 4000 > $M/mm/f
check md5 "$(seq 1 4000 | md5sum)" "$(md5sum < $M/mm/f)"
mark overwrite
printf 'ABCD' | dd of=$M/mm/f bs=1 seek=10 conv=notrunc 2>/dev/null
check over ABCD "$(dd if=$M/mm/f bs=1 skip=10 count=4 2>/dev/null)"
mark sed_i
run sed_i sed -i 's/^1000$/thousand/' $M/mm/f
check sed 1 "$(grep -c '^thousand$' $M/mm/f)"
sync
rm -rf $M/mm
exit $rc
