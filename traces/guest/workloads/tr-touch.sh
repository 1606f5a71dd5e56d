#!/bin/sh
# touch.sh MOUNTPOINT — touch -d, touch -c, mtime and atime set explicitly
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/t
mark touch_new
run touch_new touch $M/t/a
mark touch_d
run touch_d touch -d "2001-02-03 04:05:06" $M/t/a
check mtime "2001-02-03 04:05:06" "$(date -d "@$(stat -c %Y $M/t/a)" '+%Y-%m-%d %H:%M:%S')"
mark touch_c
run touch_c touch -c $M/t/missing
[ -e $M/t/missing ] && fail touch_c_created "created" || ok touch_c_none
mark touch_dir
run touch_dir touch -d "1999-12-31 23:59:59" $M/t
check dirmtime "1999-12-31 23:59:59" "$(date -d "@$(stat -c %Y $M/t)" '+%Y-%m-%d %H:%M:%S')"
mark touch_r
run touch_r touch -r $M/t/a $M/t/b
check same "$(stat -c %Y $M/t/a)" "$(stat -c %Y $M/t/b)"
rm -rf $M/t
exit $rc
