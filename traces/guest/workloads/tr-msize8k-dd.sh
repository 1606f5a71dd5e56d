#!/bin/sh
# msize8k-dd.sh MOUNTPOINT — msize 8192: dd 256 KiB in and out in small frames
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
seq 1 40000 | head -c 262144 > /tmp/src
mark write
run write dd if=/tmp/src of=$M/m8 bs=32768
mark read
check read "$(md5sum < /tmp/src)" "$(md5sum < $M/m8)"
mark ls
run ls ls -la $M
rm $M/m8
exit $rc
