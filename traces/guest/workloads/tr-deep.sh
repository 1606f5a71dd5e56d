#!/bin/sh
# deep.sh MOUNTPOINT — deep nesting: walks of more than 16 names, mkdir -p, rm -r
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
p=$M/deep; for i in $(seq 1 24); do p=$p/d$i; done
mark mkdir_p
run mkdir_p mkdir -p $p
mark write_deep
echo bottom > $p/f
check read_deep bottom "$(cat $p/f)"
mark stat_deep
run stat_deep stat $p/f
mark find_deep
check depth 26 "$(find $M/deep | wc -l)"
mark rm_deep
run rm_deep rm -r $M/deep
exit $rc
