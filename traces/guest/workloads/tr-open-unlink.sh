#!/bin/sh
# open-unlink.sh MOUNTPOINT — open, unlink, then read/write/fstat through the open file
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/ou; seq 1 100 > $M/ou/r; echo start > $M/ou/w
mark open
exec 3<$M/ou/r
exec 4>>$M/ou/w
mark unlink
run unlink rm $M/ou/r $M/ou/w
[ -e $M/ou/r ] && fail gone "still listed" || ok gone
mark read_after
check read_after "$(seq 1 100 | md5sum)" "$(cat <&3 | md5sum)"
mark write_after
echo more >&4 && ok write_after || fail write_after "write failed"
mark fstat_after
stat -L -c %s /proc/self/fd/3 >/dev/null 2>&1; echo "fstat rc=$?"
exec 3<&- 4>&-
rmdir $M/ou
rc=0
exit $rc
