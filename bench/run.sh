#!/bin/bash
# One run, four servers: p9ref (model), p9ref (posix), diod, and the physical
# limit (bench/nullserver: answers every frame at once), all over TCP loopback.
# Two rounds:
#   1. each server at its own maximum msize (p9ref 1 MiB, diod caps at 64 KiB):
#      every metric of bench/p9bench.cc, once;
#   2. every server at the same msize, EQUAL_MSIZE (default 65536, diod's
#      maximum: 65512 bytes of data per Tread/Twrite): streaming only, REPEAT
#      times (default 3) with the servers interleaved; each server's best and
#      median write and read are shown, the ratios use the best (on a shared
#      machine the best run is the least disturbed one).
# Prints both tables and the ratios the reference server is held to:
#   1 connection:  p9ref / null  >= 0.90   (getattr round trips/s)
#   8 connections: p9ref / diod  >= 2.0    (aggregate getattr round trips/s)
#   equal msize:   p9ref-posix / diod >= 1.2 (streaming write and read MB/s)
#   bench/run.sh [SECONDS_PER_METRIC] [MIB]
# P9REF=path/to/p9ref measures another build of the reference server (an
# older commit) with this p9bench; EQUAL_MSIZE and REPEAT as above.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$SRC/build/bin}
SECS=${1:-3}
MIB=${2:-64}
P9REF=${P9REF:-$BIN/p9ref}
EQUAL_MSIZE=${EQUAL_MSIZE:-65536}
REPEAT=${REPEAT:-3}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "server on port $1 did not start" >&2; return 1; }

declare -A port aname
start() {  # name aname command...: starts a server on a free port
  local name=$1 an=$2 p
  shift 2
  p=$(free_port)
  "$@" "tcp:127.0.0.1:$p" & pids+=($!)
  wait_port "$p"
  port[$name]=$p
  aname[$name]=$an
}
servers=(null p9ref-model p9ref-posix)
start null "" "$BIN/nullserver" --listen 2>/dev/null
start p9ref-model "" "$P9REF" serve --backend model --listen 2>/dev/null
mkdir "$work/posix"
start p9ref-posix "" "$P9REF" serve --backend "posix:$work/posix" --listen 2>/dev/null
have_diod=0
if command -v diod >/dev/null || [ -x /usr/sbin/diod ]; then
  mkdir "$work/diod"
  # diod takes -l HOST:PORT; started by hand (its address has no "tcp:").
  p=$(free_port); /usr/sbin/diod -f -n -N -l "127.0.0.1:$p" -e "$work/diod" -c /dev/null -L /dev/null & pids+=($!)
  wait_port "$p"; port[diod]=$p; aname[diod]=$work/diod
  servers+=(diod); have_diod=1
else
  echo "bench: diod not installed; ratios against diod skipped" >&2
fi

bench() {  # name out-file args...
  local name=$1 out=$2
  shift 2
  "$BIN/p9bench" --target "tcp:127.0.0.1:${port[$name]}" --aname "${aname[$name]}" --mib "$MIB" "$@" > "$out"
}
for s in "${servers[@]}"; do
  echo "bench: round 1, $s ..." >&2
  bench "$s" "$work/$s.out" --seconds "$SECS"
  sed "s/^/  $s: /" "$work/$s.out" >&2
done
for r in $(seq "$REPEAT"); do
  for s in "${servers[@]}"; do
    bench "$s" "$work/$s.eq.$r" --msize "$EQUAL_MSIZE" --stream-only
    echo "bench: round 2.$r, $s: $(tr '\n' ' ' < "$work/$s.eq.$r")" >&2
  done
done

metric() { awk -v m="$2" '$1==m {print $2}' "$work/$1.out"; }
best() { cat "$work/$1".eq.* | awk -v m="$2" '$1==m && $2+0 > b {b=$2+0} END {if (b) print b}'; }
median() { cat "$work/$1".eq.* | awk -v m="$2" '$1==m {print $2+0}' | sort -g | awk '{v[NR]=$1} END {if (NR) print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Round 1: each server at its own maximum msize ($MIB MiB streamed, ${SECS} s per round-trip metric)"
printf "%-13s %8s %12s %12s %12s %10s %10s\n" server msize getattr/s walk+clunk/s getattr8/s write_MB/s read_MB/s
for s in "${servers[@]}"; do
  printf "%-13s %8s %12s %12s %12s %10s %10s\n" "$s" "$(metric "$s" msize)" "$(metric "$s" getattr_rtt_1conn)" \
    "$(metric "$s" walkclunk_1conn)" "$(metric "$s" getattr_rtt_8conn)" "$(metric "$s" write_mbps)" "$(metric "$s" read_mbps)"
done
echo
echo "1 connection, p9ref-model / null:   $(ratio "$(metric p9ref-model getattr_rtt_1conn)" "$(metric null getattr_rtt_1conn)")  (goal >= 0.90)"
if [ "$have_diod" = 1 ]; then
  echo "8 connections, p9ref-model / diod:  $(ratio "$(metric p9ref-model getattr_rtt_8conn)" "$(metric diod getattr_rtt_8conn)")  (goal >= 2.0)"
  echo "null / diod (1 connection):         $(ratio "$(metric null getattr_rtt_1conn)" "$(metric diod getattr_rtt_1conn)")"
fi
echo
echo "Round 2: every server at msize $EQUAL_MSIZE, streaming $MIB MiB, $REPEAT interleaved runs (MB/s: best, median)"
printf "%-13s %8s %10s %10s %10s %10s %11s %11s\n" server msize write_best read_best write_med read_med write/diod read/diod
for s in "${servers[@]}"; do
  m=$(awk '$1=="msize" {print $2}' "$work/$s.eq.1")
  printf "%-13s %8s %10s %10s %10s %10s %11s %11s\n" "$s" "$m" "$(best "$s" write_mbps)" "$(best "$s" read_mbps)" \
    "$(median "$s" write_mbps)" "$(median "$s" read_mbps)" \
    "$(ratio "$(best "$s" write_mbps)" "$(best diod write_mbps 2>/dev/null)")" \
    "$(ratio "$(best "$s" read_mbps)" "$(best diod read_mbps 2>/dev/null)")"
  [ "$m" = "$EQUAL_MSIZE" ] || echo "warning: $s negotiated msize $m, not $EQUAL_MSIZE" >&2
done
if [ "$have_diod" = 1 ]; then
  echo
  echo "equal msize, p9ref-posix / diod (best): write $(ratio "$(best p9ref-posix write_mbps)" "$(best diod write_mbps)"), read $(ratio "$(best p9ref-posix read_mbps)" "$(best diod read_mbps)")  (goal >= 1.2 each)"
  echo "equal msize, p9ref-posix / diod (median): write $(ratio "$(median p9ref-posix write_mbps)" "$(median diod write_mbps)"), read $(ratio "$(median p9ref-posix read_mbps)" "$(median diod read_mbps)")"
fi
