#!/bin/sh
# find.sh MOUNTPOINT — find with -type, -name, -size, -newer, -exec
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir -p $M/f/a/b $M/f/c
echo 1 > $M/f/a/one.txt; seq 1 3000 > $M/f/a/b/big.txt; echo 3 > $M/f/c/three.dat; ln -s a $M/f/ln
touch -d "2000-01-01 00:00:00" $M/f/a/one.txt
mark find_all
check count 8 "$(find $M/f | wc -l)"
mark find_type
check dirs 4 "$(find $M/f -type d | wc -l)"
check links 1 "$(find $M/f -type l | wc -l)"
mark find_name
check name "$M/f/a/one.txt" "$(find $M/f -name 'one*')"
mark find_size
check size "$M/f/a/b/big.txt" "$(find $M/f -size +10k)"
mark find_newer
check newer 2 "$(find $M/f -type f -newer $M/f/a/one.txt | wc -l)"
mark find_exec
check exec 3 "$(find $M/f -name '*.t*' -exec cat {} \; | head -n 3 | wc -l)"
rm -rf $M/f
exit $rc
