#!/bin/sh
# readdir-delete.sh MOUNTPOINT — find -exec rm: entries removed while the directory is being read (msize 8192: several Treaddir batches)
# mount: msize=8192
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/rdd
i=0; while [ $i -lt 150 ]; do : > $M/rdd/entry-with-a-fairly-long-name-number-$i; i=$((i+1)); done
mark count
check count 150 "$(ls $M/rdd | wc -l)"
mark delete_while_reading
run find_delete find $M/rdd -type f -name '*[02468]' -exec rm {} \;
check left 75 "$(ls $M/rdd | wc -l)"
mark rm_loop
for f in $M/rdd/*; do rm "$f"; done
check empty 0 "$(ls $M/rdd | wc -l)"
rmdir $M/rdd
exit $rc
