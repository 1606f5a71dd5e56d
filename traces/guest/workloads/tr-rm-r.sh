#!/bin/sh
# rm-r.sh MOUNTPOINT — rm -r of a nested tree
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
for d in a b c; do for e in 1 2 3; do mkdir -p $M/rt/$d/$e; for f in x y; do echo $d$e$f > $M/rt/$d/$e/$f; done; done; done
ln -s a $M/rt/sl
mark rm_r
run rm_r rm -r $M/rt
[ -e $M/rt ] && fail gone "still there" || ok gone
exit $rc
