#!/usr/bin/env bash
# run.sh --cache DIR --port PORT --workload FILE [--aname ANAME]
#        [--mount-opts OPTS] [--timeout SECS] [--log FILE] [--keep DIR]
#
# Boots the Linux guest prepared by prepare.sh in QEMU (TCG), mounts the 9P
# server listening on the host's 127.0.0.1:PORT (reached from the guest as
# 10.0.2.2:PORT through QEMU user networking), runs `sh FILE /mnt` in the
# guest, prints the workload's output on stdout and exits with its status.
#
# Mount options used: trans=tcp,port=PORT[,aname=ANAME],OPTS where OPTS
# defaults to version=9p2000.L,cache=none,uname=root.
#
# Exit codes: the workload's rc; 124 timeout; 125 the guest did not get to
# run the workload (mount failed, setup failed, QEMU died); 2 usage.
set -euo pipefail

log() { printf 'run: %s\n' "$*" >&2; }
usage() { sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cache="" port="" aname="" opts="version=9p2000.L,cache=none,uname=root"
workload="" timeout=120 logfile="" keep=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --aname) aname=$2; shift 2 ;;
    --mount-opts) opts=$2; shift 2 ;;
    --workload) workload=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --log) logfile=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done
[[ -n $cache && -n $port && -n $workload ]] || usage
[[ $port =~ ^[0-9]+$ ]] || { log "bad port: $port"; exit 2; }
[[ $timeout =~ ^[0-9]+$ ]] || { log "bad timeout: $timeout"; exit 2; }
[[ -f $workload ]] || { log "workload not found: $workload"; exit 2; }
for f in vmlinuz initrd.cpio.gz; do
  [[ -f $cache/$f ]] || { log "$cache/$f missing: run prepare.sh $cache first"; exit 125; }
done
command -v qemu-system-x86_64 >/dev/null ||
  { log "qemu-system-x86_64 not found: apt-get install qemu-system-x86"; exit 125; }
busybox=/bin/busybox
[[ -x $busybox ]] || busybox=/usr/bin/busybox
case $aname in *,*|*\ *) log "aname must not contain commas or spaces: $aname"; exit 2 ;; esac

mountopts="trans=tcp,port=$port"
[[ -n $aname ]] && mountopts+=",aname=$aname"
[[ -n $opts ]] && mountopts+=",$opts"

work=$(mktemp -d "${TMPDIR:-/tmp}/p9guest.XXXXXX")
qpid=""
cleanup() {
  # Only ever our own QEMU.
  if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
  fi
  if [[ -n $keep ]]; then mkdir -p "$keep" && cp -a "$work"/. "$keep"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Per-run archive: config + workload, appended to the base initrd (Linux
# unpacks concatenated compressed cpio archives in order).
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
mkdir -p "$work/root"
{
  echo "P9_HOST=10.0.2.2"
  echo "P9_OPTS=$(sq "$mountopts")"
  echo "P9_WORKLOAD=/workload.sh"
} >"$work/root/p9run.conf"
cp "$workload" "$work/root/workload.sh"
chmod 0755 "$work/root/workload.sh"
(cd "$work/root" && printf '%s\n' p9run.conf workload.sh | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
  gzip -n >"$work/run.cpio.gz"
cat "$cache/initrd.cpio.gz" "$work/run.cpio.gz" >"$work/initrd"

console="$work/console.log" output="$work/workload.out"
: >"$console"; : >"$output"
log "booting guest: 9p on 127.0.0.1:$port, -o $mountopts, workload $(basename "$workload"), timeout ${timeout}s"
start=$(date +%s.%N)
# Serial 0 = kernel console, serial 1 = workload output (no kernel noise).
qemu-system-x86_64 -m 512 -smp 1 -display none -monitor none -no-reboot \
  -kernel "$cache/vmlinuz" -initrd "$work/initrd" \
  -append "console=ttyS0 panic=-1 rdinit=/init" \
  -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= \
  -serial "file:$console" -serial "file:$output" \
  </dev/null >"$work/qemu.log" 2>&1 &
qpid=$!

timed_out=0
deadline=$((SECONDS + timeout))
while kill -0 "$qpid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then timed_out=1; break; fi
  sleep 0.2
done
qrc=0
if ((timed_out)); then
  kill "$qpid" 2>/dev/null || true
  wait "$qpid" 2>/dev/null || true
else
  wait "$qpid" || qrc=$?
fi
qpid=""
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

if [[ -n $logfile ]]; then
  { echo "=== console (ttyS0) ==="; tr -d '\r' <"$console"
    echo "=== workload port (ttyS1) ==="; tr -d '\r' <"$output"
    echo "=== qemu ==="; cat "$work/qemu.log"; } >"$logfile"
fi

out=$(tr -d '\r' <"$output")
show_console() { log "last console lines:"; tr -d '\r' <"$console" | tail -n 25 | sed 's/^/  | /' >&2; }

if grep -q '^==P9-WORKLOAD-BEGIN==$' <<<"$out"; then
  sed -n '/^==P9-WORKLOAD-BEGIN==$/,/^==P9-WORKLOAD-END rc=[0-9]*==$/p' <<<"$out" | sed '1d;/^==P9-WORKLOAD-END rc=[0-9]*==$/d'
fi
endline=$(grep -m1 '^==P9-WORKLOAD-END rc=[0-9]*==$' <<<"$out" || true)

if ((timed_out)); then
  log "timeout after $timeout s (guest killed)"
  show_console
  exit 124
fi
if [[ -z $endline ]]; then
  if m=$(grep -m1 '^==P9-\(MOUNT\|SETUP\)-FAILED' <<<"$out"); then
    log "guest could not run the workload: $m"
  else
    log "guest ended without finishing the workload (qemu rc=$qrc)"
    [[ -s $work/qemu.log ]] && sed 's/^/  qemu: /' "$work/qemu.log" >&2
  fi
  show_console
  exit 125
fi
rc=${endline#==P9-WORKLOAD-END rc=}; rc=${rc%==}
um=$(grep -m1 '^==P9-UMOUNT rc=' <<<"$out" || true)
[[ $um == "==P9-UMOUNT rc=0==" ]] || log "warning: unmount did not succeed (${um:-no report})"
log "guest finished in ${elapsed}s; workload rc=$rc"
exit "$rc"
