#!/bin/sh
# concurrent.sh MOUNTPOINT — several writers and readers at once (background jobs): replies out of order
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
seq 1 5000 > /tmp/src
mkdir $M/cc
mark writers
for i in 1 2 3 4; do (dd if=/tmp/src of=$M/cc/w$i bs=4096 2>/dev/null) & done
wait
for i in 1 2 3 4; do check w$i "$(md5sum < /tmp/src)" "$(md5sum < $M/cc/w$i)"; done
mark readers
for i in 1 2 3 4; do (md5sum < $M/cc/w$i > /tmp/r$i) & done
wait
for i in 1 2 3 4; do check r$i "$(md5sum < /tmp/src)" "$(cat /tmp/r$i)"; done
mark mixed
for i in 1 2 3; do (mkdir $M/cc/d$i; echo $i > $M/cc/d$i/f; stat $M/cc/w$i >/dev/null) & done
wait
check dirs 3 "$(ls -d $M/cc/d* | wc -l)"
rm -rf $M/cc
exit $rc
