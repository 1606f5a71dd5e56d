#!/bin/sh
# mv.sh MOUNTPOINT — mv of files and directories, over existing names, across directories
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir -p $M/mv/a $M/mv/b
echo one > $M/mv/a/f1; echo two > $M/mv/a/f2; echo three > $M/mv/b/f3
mark mv_file
run mv_file mv $M/mv/a/f1 $M/mv/a/g1
check mv_content one "$(cat $M/mv/a/g1)"
mark mv_over
run mv_over mv $M/mv/a/f2 $M/mv/b/f3
check mv_over_content two "$(cat $M/mv/b/f3)"
mark mv_dir
run mv_dir mv $M/mv/a $M/mv/b/a
check mv_dir_list g1 "$(ls $M/mv/b/a)"
mark mv_dir_up
run mv_dir_up mv $M/mv/b/a $M/mv/c
check final "b c" "$(ls $M/mv | tr '\n' ' ' | sed 's/ $//')"
rm -rf $M/mv
exit $rc
