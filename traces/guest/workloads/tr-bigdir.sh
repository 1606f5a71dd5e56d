#!/bin/sh
# bigdir.sh MOUNTPOINT — a directory of 2,000 entries: create (one touch), list, stat one, remove a few (the rest stays: a full rm -r makes a 20 MB trace)
# mount: cache=loose
# Trace workload (traces/record.sh); deterministic data only. cache=loose: with cache=none each create costs ~50 frames (a 20 MB trace).
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/big
mark create
set --; i=0; while [ $i -lt 2000 ]; do set -- "$@" $M/big/f$i; i=$((i+1)); done
run touch touch "$@"
mark list
check count 2000 "$(ls $M/big | wc -l)"
check sorted f999 "$(ls $M/big | sort | tail -n1)"
mark stat_some
check size 0 "$(stat -c %s $M/big/f1999)"
mark remove
run rm rm $M/big/f1 $M/big/f10 $M/big/f100 $M/big/f1000
check count_after 1996 "$(ls $M/big | wc -l)"
exit $rc
