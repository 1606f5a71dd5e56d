#!/bin/sh
# dd-16m.sh MOUNTPOINT: 16 MiB through the 9P server and back: written in
# 64 KiB blocks, read back in 64 KiB and in 4 KiB blocks, overwritten in the
# middle with conv=notrunc, truncated, compared by md5sum each time against a
# copy in the guest's own tmpfs. Deterministic data (traces/FORMAT.md,
# "Determinism"); 16 MiB of /tmp in a 256 MiB guest.
set -u
M=${1:?usage: dd-16m.sh MOUNTPOINT}
rc=0
check() { if [ "$2" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: want '$2', got '$3'"; rc=1; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then echo "ok $s"; else echo "FAIL $s: '$*' failed: $out"; rc=1; fi; }
# 16 MiB = 256 blocks of 64 KiB; each block distinct (its number repeated).
i=0
while [ $i -lt 256 ]; do
  printf '%065535d\n' $i
  i=$((i + 1))
done >/tmp/src16
check src.size 16777216 "$(stat -c %s /tmp/src16)"
want=$(md5sum </tmp/src16)
run write dd if=/tmp/src16 of="$M/big" bs=65536
check size 16777216 "$(stat -c %s "$M/big")"
check read64k "$want" "$(dd if="$M/big" bs=65536 2>/dev/null | md5sum)"
check read4k "$want" "$(dd if="$M/big" bs=4096 2>/dev/null | md5sum)"
# 1 MiB of zeros at 8 MiB, in place.
run overwrite dd if=/dev/zero of="$M/big" bs=65536 seek=128 count=16 conv=notrunc
dd if=/dev/zero of=/tmp/src16 bs=65536 seek=128 count=16 conv=notrunc 2>/dev/null
check overwrite.md5 "$(md5sum </tmp/src16)" "$(md5sum <"$M/big")"
check overwrite.size 16777216 "$(stat -c %s "$M/big")"
run truncate truncate -s 1000000 "$M/big"
check truncated "$(head -c 1000000 /tmp/src16 | md5sum)" "$(md5sum <"$M/big")"
rm -f "$M/big" /tmp/src16
exit $rc
