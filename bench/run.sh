#!/bin/bash
# One run, four servers: p9ref (model), p9ref (posix), diod, and the physical
# limit (bench/nullserver: answers every frame at once). Prints each server's
# numbers and the ratios the reference server is held to:
#   1 connection:  p9ref / null  >= 0.90   (getattr round trips/s)
#   8 connections: p9ref / diod  >= 2.0    (aggregate getattr round trips/s)
#   streaming:     p9ref / diod  >= 1.0    (read and write MB/s; diod caps msize at 64 KiB)
#   bench/run.sh [SECONDS_PER_METRIC] [MIB]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$SRC/build/bin}
SECS=${1:-3}
MIB=${2:-64}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "server on port $1 did not start" >&2; return 1; }

declare -A results
run() {  # name port aname
  echo "bench: $1 ..." >&2
  "$BIN/p9bench" --target "tcp:127.0.0.1:$2" --aname "$3" --seconds "$SECS" --mib "$MIB" > "$work/$1.out"
  sed "s/^/  $1: /" "$work/$1.out" >&2
}
metric() { awk -v m="$2" '$1==m {print $2}' "$work/$1.out"; }

p=$(free_port); "$BIN/nullserver" --listen "tcp:127.0.0.1:$p" 2>/dev/null & pids+=($!); wait_port "$p"; run null "$p" ""
p=$(free_port); "$BIN/p9ref" serve --listen "tcp:127.0.0.1:$p" --backend model 2>/dev/null & pids+=($!); wait_port "$p"; run p9ref-model "$p" ""
mkdir "$work/posix"
p=$(free_port); "$BIN/p9ref" serve --listen "tcp:127.0.0.1:$p" --backend "posix:$work/posix" 2>/dev/null & pids+=($!); wait_port "$p"; run p9ref-posix "$p" ""
if command -v diod >/dev/null || [ -x /usr/sbin/diod ]; then
  mkdir "$work/diod"
  p=$(free_port); /usr/sbin/diod -f -n -N -l "127.0.0.1:$p" -e "$work/diod" -c /dev/null -L /dev/null & pids+=($!); wait_port "$p"; run diod "$p" "$work/diod"
  have_diod=1
else
  echo "bench: diod not installed; ratios against diod skipped" >&2; have_diod=0
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
printf "%-13s %12s %12s %12s %10s %10s\n" server getattr/s walk+clunk/s getattr8/s write_MB/s read_MB/s
for s in null p9ref-model p9ref-posix diod; do
  [ -f "$work/$s.out" ] || continue
  printf "%-13s %12s %12s %12s %10s %10s\n" "$s" "$(metric $s getattr_rtt_1conn)" "$(metric $s walkclunk_1conn)" \
    "$(metric $s getattr_rtt_8conn)" "$(metric $s write_mbps)" "$(metric $s read_mbps)"
done
echo
echo "1 connection, p9ref-model / null:   $(ratio "$(metric p9ref-model getattr_rtt_1conn)" "$(metric null getattr_rtt_1conn)")  (goal >= 0.90)"
if [ "$have_diod" = 1 ]; then
  echo "8 connections, p9ref-model / diod:  $(ratio "$(metric p9ref-model getattr_rtt_8conn)" "$(metric diod getattr_rtt_8conn)")  (goal >= 2.0)"
  echo "write, p9ref-model / diod:          $(ratio "$(metric p9ref-model write_mbps)" "$(metric diod write_mbps)")  (goal >= 1.0)"
  echo "read, p9ref-model / diod:           $(ratio "$(metric p9ref-model read_mbps)" "$(metric diod read_mbps)")  (goal >= 1.0)"
  echo "null / diod (1 connection):         $(ratio "$(metric null getattr_rtt_1conn)" "$(metric diod getattr_rtt_1conn)")"
fi
