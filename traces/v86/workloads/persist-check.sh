#!/bin/sh
# persist-check.sh MOUNTPOINT: the second half of the persistence check
# (persist.sh): everything persist-write.sh left, after the browser restarted.
set -u
M=${1:?usage: persist-check.sh MOUNTPOINT}
D=$M/p9persist
rc=0
check() { if [ "$2" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: want '$2', got '$3'"; rc=1; fi; }
check content "hello persistent 9p" "$(cat "$D/a.txt" 2>&1)"
check big.md5 "$(seq 1 200000 | md5sum)" "$(md5sum <"$D/sub/big" 2>&1)"
check big.size "$(seq 1 200000 | wc -c)" "$(stat -c %s "$D/sub/big" 2>&1)"
check mode 640 "$(stat -c %a "$D/a.txt" 2>&1)"
check mode.dir 750 "$(stat -c %a "$D/sub" 2>&1)"
check symlink ../a.txt "$(readlink "$D/sub/sym" 2>&1)"
check symlink.follow "hello persistent 9p" "$(cat "$D/sub/sym" 2>&1)"
check link.nlink 2 "$(stat -c %h "$D/a.txt" 2>&1)"
check link.ino "$(stat -c %i "$D/a.txt" 2>&1)" "$(stat -c %i "$D/sub/moved/hard" 2>&1)"
check mtime "2001-02-03 04:05:06" "$(date -d "@$(stat -c %Y "$D/sub/big" 2>/dev/null || echo 0)" '+%Y-%m-%d %H:%M:%S' 2>&1)"
check mv.old no "$([ -e "$D/sub/deeper" ] && echo yes || echo no)"
check rm.gone no "$([ -e "$D/gone" ] && echo yes || echo no)"
check listing "a.txt sub" "$(ls "$D" | tr '\n' ' ' | sed 's/ $//')"
check listing.sub "big moved sym" "$(ls "$D/sub" | tr '\n' ' ' | sed 's/ $//')"
exit $rc
