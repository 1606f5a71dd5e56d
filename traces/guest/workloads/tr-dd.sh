#!/bin/sh
# dd.sh MOUNTPOINT — dd with several block sizes, seek, skip, conv=notrunc
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
seq 1 40000 > /tmp/src
mark dd_bs512
run dd512 dd if=/tmp/src of=$M/d512 bs=512
mark dd_bs64k
run dd64k dd if=/tmp/src of=$M/d64k bs=65536
check same "$(md5sum < $M/d512)" "$(md5sum < $M/d64k)"
mark dd_seek
run seek dd if=/tmp/src of=$M/dseek bs=4096 seek=10 count=3
check seek_size $((13*4096)) "$(stat -c %s $M/dseek)"
mark dd_skip
check skip "$(dd if=/tmp/src bs=1000 skip=7 count=2 2>/dev/null | md5sum)" "$(dd if=$M/d512 bs=1000 skip=7 count=2 2>/dev/null | md5sum)"
mark dd_notrunc
printf 'ZZZZ' | dd of=$M/d512 bs=1 seek=100 conv=notrunc 2>/dev/null
check notrunc ZZZZ "$(dd if=$M/d512 bs=1 skip=100 count=4 2>/dev/null)"
check notrunc_size "$(stat -c %s /tmp/src)" "$(stat -c %s $M/d512)"
rm -f $M/d512 $M/d64k $M/dseek
exit $rc
