#!/bin/sh
# append.sh MOUNTPOINT — O_APPEND (>>) from one and from two open files
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/ap
mark append
for i in 1 2 3 4 5; do echo "line $i" >> $M/ap/f; done
check lines 5 "$(wc -l < $M/ap/f)"
mark two_fds
exec 3>>$M/ap/g 4>>$M/ap/g
echo a >&3; echo b >&4; echo c >&3; echo d >&4
exec 3>&- 4>&-
check two_fds "a b c d" "$(tr '\n' ' ' < $M/ap/g | sed 's/ $//')"
mark append_after_truncate
exec 3>>$M/ap/g
: > $M/ap/g
echo x >&3
exec 3>&-
check after_truncate x "$(cat $M/ap/g)"
rm -rf $M/ap
exit $rc
