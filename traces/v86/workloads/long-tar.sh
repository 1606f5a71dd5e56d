#!/bin/sh
# long-tar.sh MOUNTPOINT — a long session (about 99,000 requests): R (21) times, make a tree, tar it to /tmp, rm -r it, tar x it back, ls -lR, compare, rm -r
# Trace workload (traces/v86/run.mjs --record; not tr-*: the v86 batch tests leave it out, it runs 100 s); deterministic data only.
# R rounds (one round is about 4,750 requests with cache=none: 21 make the 99,000-request class of trace).
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
R=21
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
r=0
while [ $r -lt $R ]; do
  mark round_$r
  for d in a b c d; do
    mkdir -p $M/t/$d/sub
    for f in 1 2 3 4 5; do seq $r $((r + f * 40)) > $M/t/$d/f$f; done
    echo $d$r > $M/t/$d/sub/note
    ln -s f1 $M/t/$d/lnk
  done
  chmod 0750 $M/t/b; chmod 0640 $M/t/c/f2
  run tar_c_$r tar -C $M -cf /tmp/t.tar t
  run rm_$r rm -r $M/t
  run tar_x_$r tar -C $M -xf /tmp/t.tar
  ls -lR $M/t >/dev/null
  check seq_$r "$(seq $r $((r + 120)) | md5sum)" "$(md5sum < $M/t/c/f3)"
  check lnk_$r f1 "$(readlink $M/t/d/lnk)"
  run rm2_$r rm -r $M/t
  r=$((r + 1))
done
exit $rc
