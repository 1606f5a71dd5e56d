#!/bin/sh
# persist-write.sh MOUNTPOINT: the first half of the persistence check
# (persist.sh): leaves a tree behind for persist-check.sh, which runs in a
# second boot after the browser was stopped and started again on the same
# profile. Deterministic data only (traces/FORMAT.md, "Determinism").
set -u
M=${1:?usage: persist-write.sh MOUNTPOINT}
D=$M/p9persist
rc=0
run() { s=$1; shift; if out=$("$@" 2>&1); then echo "ok $s"; else echo "FAIL $s: '$*' failed: $out"; rc=1; fi; }
rm -rf "$D" 2>/dev/null
run mkdir mkdir -p "$D/sub/deeper"
echo "hello persistent 9p" >"$D/a.txt" && echo "ok write" || { echo "FAIL write"; rc=1; }
run big sh -c "seq 1 200000 >'$D/sub/big'"
run chmod chmod 0640 "$D/a.txt"
run chmod.dir chmod 0750 "$D/sub"
run symlink ln -s ../a.txt "$D/sub/sym"
run link ln "$D/a.txt" "$D/sub/deeper/hard"
run touch touch -d "2001-02-03 04:05:06" "$D/sub/big"
run mv mv "$D/sub/deeper" "$D/sub/moved"
run rm sh -c "echo gone >'$D/gone' && rm '$D/gone'"
sync
exit $rc
