#!/bin/sh
# tar.sh MOUNTPOINT — tar c from the mount and tar x into it
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir -p $M/src/sub
seq 1 2000 > $M/src/seq; echo small > $M/src/sub/s; ln -s seq $M/src/lnk; chmod 0644 $M/src/seq
mark tar_c
run tar_c tar -C $M -cf /tmp/a.tar src
mark tar_x
mkdir $M/dst
run tar_x tar -C $M/dst -xf /tmp/a.tar
check seq "$(md5sum < $M/src/seq)" "$(md5sum < $M/dst/src/seq)"
check lnk seq "$(readlink $M/dst/src/lnk)"
mark tar_cz
run tar_cz sh -c "tar -C $M -czf $M/a.tgz src"
run tar_tz tar -tzf $M/a.tgz
rm -rf $M/src $M/dst $M/a.tgz
exit $rc
