#!/bin/sh
# mknod.sh MOUNTPOINT — mkfifo and mknod (character and block devices)
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/dev
mark fifo
run fifo mkfifo $M/dev/p
check fifo_type "fifo" "$(stat -c %F $M/dev/p)"
mark chr
run chr mknod $M/dev/null c 1 3
check chr_type "character special file 1,3" "$(stat -c '%F %t,%T' $M/dev/null)"
mark blk
run blk mknod $M/dev/sda b 8 0
check blk_type "block special file 8,0" "$(stat -c '%F %t,%T' $M/dev/sda)"
mark mode
run mode mknod -m 0600 $M/dev/m c 5 1
check mode 600 "$(stat -c %a $M/dev/m)"
rm -rf $M/dev
exit $rc
