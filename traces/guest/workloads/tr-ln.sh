#!/bin/sh
# ln.sh MOUNTPOINT — hard links, symlinks, dangling links, ln -sf, link counts
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/l; echo data > $M/l/file
mark hard
run hard ln $M/l/file $M/l/h1
run hard2 ln $M/l/h1 $M/l/h2
check nlink 3 "$(stat -c %h $M/l/file)"
mark sym
run sym ln -s file $M/l/s1
run sym_abs ln -s /nonexistent/target $M/l/dangling
check dangling /nonexistent/target "$(readlink $M/l/dangling)"
[ -e $M/l/dangling ] && fail dangling_exists "exists" || ok dangling_exists
mark symf
run symf ln -sf h1 $M/l/s1
check symf h1 "$(readlink $M/l/s1)"
mark unlink
run unlink rm $M/l/file
check nlink2 2 "$(stat -c %h $M/l/h1)"
check via_sym data "$(cat $M/l/s1)"
mark hard_dir
ln $M/l $M/l2 2>/dev/null && fail hard_dir "linked a directory" || ok hard_dir
rm -rf $M/l
exit $rc
