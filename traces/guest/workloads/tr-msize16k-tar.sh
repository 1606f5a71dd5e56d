#!/bin/sh
# msize16k-tar.sh MOUNTPOINT — msize 16384 with cache=loose: tar x into the mount, tar c out
# mount: cache=loose,msize=16384
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir -p /tmp/t/src/d; seq 1 9000 > /tmp/t/src/n; echo x > /tmp/t/src/d/x; tar -C /tmp/t -cf /tmp/a.tar src
mark tar_x
run tar_x tar -C $M -xf /tmp/a.tar
mark tar_c
run tar_c tar -C $M -cf /tmp/b.tar src
check same "$(md5sum < /tmp/t/src/n)" "$(md5sum < $M/src/n)"
sync
rm -rf $M/src
exit $rc
