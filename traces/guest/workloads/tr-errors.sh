#!/bin/sh
# errors.sh MOUNTPOINT — expected errors: EEXIST, ENOENT, ENOTEMPTY, ENOTDIR, EISDIR, ENAMETOOLONG
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/e; mkdir $M/e/d; echo x > $M/e/d/f
mark eexist
mkdir $M/e/d 2>/dev/null && fail eexist "mkdir succeeded" || ok eexist
mark enoent
cat $M/e/nothere 2>/dev/null && fail enoent "cat succeeded" || ok enoent
mark enotempty
rmdir $M/e/d 2>/dev/null && fail enotempty "rmdir succeeded" || ok enotempty
mark enotdir
ls $M/e/d/f/x 2>/dev/null && fail enotdir "ls succeeded" || ok enotdir
mark eisdir
rm $M/e/d 2>/dev/null && fail eisdir "rm succeeded" || ok eisdir
mark enametoolong
n=$(printf 'n%.0s' $(seq 1 300))
( : > $M/e/$n ) 2>/dev/null && fail enametoolong "created" || ok enametoolong
mark link_exists
ln $M/e/d/f $M/e/d/f 2>/dev/null && fail link_exists "linked" || ok link_exists
mark rename_dir_over_file
mkdir $M/e/d2; mv -T $M/e/d2 $M/e/d/f 2>/dev/null && fail dir_over_file "renamed" || ok dir_over_file
rm -rf $M/e
exit $rc
