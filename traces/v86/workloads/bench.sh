#!/bin/sh
# bench.sh MOUNTPOINT — the side-by-side benchmark's guest side (bench.mjs):
# timed phases on the 9P mount, each between "bench: begin NAME" and
# "bench: end NAME" lines, each with the guest's clock (/proc/uptime, s);
# the page times the same lines by its own clock:
#   dd-write  dd 64 MiB from /dev/zero to a file on the mount, bs=1M
#   dd-read   the same file read back to /dev/null (caches dropped first; the
#             mount is cache=none, so every byte comes from the server)
#   untar     tar x of a 2,000-file tree (20 directories of 100 files, 0-2 KiB,
#             deterministic) built in /tmp (tmpfs) before the phase
#   find      find over the extracted tree (every entry lstat'ed)
#   rm        rm -r of the tree
# Checks after the phases (untimed): sizes, the entry count, one file's text.
# Prints `ok STEP` / `FAIL STEP: why`; exits 1 if a check failed.
# MIB and FILES below are the sizes; bench.mjs --quick rewrites these two lines.
set -u
M=${1:?usage: bench.sh MOUNTPOINT}
MIB=64
FILES=2000
DIRS=20
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
# No fork between the clock and the line: read is a shell built-in.
begin() { read -r up _ </proc/uptime; echo "bench: begin $1 $up"; }
end() { read -r up _ </proc/uptime; echo "bench: end $1 $up"; }

# The tree, in /tmp: file i of directory d holds "d/i" and (i*37 mod 2048)
# bytes of a fixed text. Shell built-ins only (no fork per file).
base=''
i=0
while [ $i -lt 64 ]; do base="${base}0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"; i=$((i + 1)); done
per=$((FILES / DIRS))
mkdir -p /tmp/src/tree
d=0
while [ $d -lt $DIRS ]; do
  mkdir /tmp/src/tree/d$d
  i=0
  while [ $i -lt $per ]; do
    n=$(((d * per + i) * 37 % 2048))
    printf '%s\n%s' "d$d/f$i" "${base:0:$n}" >/tmp/src/tree/d$d/f$i
    i=$((i + 1))
  done
  d=$((d + 1))
done
tar cf /tmp/tree.tar -C /tmp/src tree || fail tar.c "tar c in /tmp failed"
rm -rf /tmp/src
echo "tree: $FILES files in $DIRS directories, tar $(stat -c %s /tmp/tree.tar) bytes"
mkdir -p "$M/bench"

begin dd-write
dd if=/dev/zero of="$M/bench/big" bs=1048576 count=$MIB
end dd-write
check dd-write.size $((MIB * 1048576)) "$(stat -c %s "$M/bench/big" 2>&1)"

sync
echo 3 >/proc/sys/vm/drop_caches
begin dd-read
dd if="$M/bench/big" of=/dev/null bs=1048576
end dd-read

begin untar
tar xf /tmp/tree.tar -C "$M/bench"
end untar
rm -f /tmp/tree.tar

begin find
n=$(find "$M/bench/tree" | wc -l)
end find
check find.count $((1 + DIRS + FILES)) "$n"
k=$((per / 2 + 1))
check untar.content "d3/f$k" "$(head -n 1 "$M/bench/tree/d3/f$k" 2>&1)"
check untar.size $(((3 * per + k) * 37 % 2048 + ${#k} + 5)) "$(stat -c %s "$M/bench/tree/d3/f$k" 2>&1)"

begin rm
rm -r "$M/bench/tree"
end rm
check rm.gone no "$([ -e "$M/bench/tree" ] && echo yes || echo no)"
rm -f "$M/bench/big"
exit $rc
