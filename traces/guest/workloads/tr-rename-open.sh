#!/bin/sh
# rename-open.sh MOUNTPOINT — rename of an open file, then I/O and setattr through the open fid
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/ro; seq 1 50 > $M/ro/a
exec 3>>$M/ro/a
mark rename
run rename mv $M/ro/a $M/ro/b
mark write_after
echo appended >&3 && ok write_after || fail write_after "write failed"
check content appended "$(tail -n1 $M/ro/b)"
mark chmod_after
run chmod_after chmod 0600 $M/ro/b
check mode 600 "$(stat -c %a $M/ro/b)"
mark rename_dir
run rename_dir mv $M/ro $M/ro2
echo again >&3 && ok write_after_dir || fail write_after_dir "write failed"
check content2 again "$(tail -n1 $M/ro2/b)"
exec 3>&-
rm -rf $M/ro2
exit $rc
