#!/bin/sh
# df-ls.sh MOUNTPOINT — df, stat -f, ls -la, ls -lR, ls -i
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir -p $M/ls/a/b; echo 1 > $M/ls/x; ln -s x $M/ls/y; mkfifo $M/ls/fifo
mark df
run df df -k $M
run df_i df -i $M
mark statfs
run statfs stat -f $M
mark ls_la
run ls_la ls -la $M/ls
mark ls_lR
run ls_lR ls -lR $M/ls
mark ls_i
run ls_i ls -i $M/ls
check count 4 "$(ls -A $M/ls | wc -l)"
rm -rf $M/ls
exit $rc
