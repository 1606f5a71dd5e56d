#!/usr/bin/env bash
# check.sh --cache DIR --server 'CMD ... {port} ... {export} ...'
#          [--workload FILE] [--aname ANAME] [--mount-opts OPTS]
#          [--timeout SECS] [--log FILE] [--name NAME]
#
# Test driver: picks a free loopback TCP port, starts the 9P server given as a
# command template, waits until it listens on 127.0.0.1:PORT, boots the guest
# (run.sh) to mount it and run the workload (default workloads/basic.sh), then
# stops the server it started. Placeholders in --server and --aname:
#   {port}    the chosen port
#   {export}  a fresh empty temporary directory (removed afterwards)
# The template is split on whitespace (no quoting).
#
# Examples:
#   check.sh --cache build/guest-cache \
#     --server 'p9ref serve --listen tcp:127.0.0.1:{port} --backend model'
#   check.sh --cache build/guest-cache --aname '{export}' \
#     --server 'diod -f -n -N -l 127.0.0.1:{port} -e {export} -c /dev/null -L stderr'
#
# Exit codes: 0 pass, 1 fail, 77 skipped (no QEMU, no busybox-static, or the
# kernel package cannot be downloaded), 2 usage.
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=guest
log() { printf 'check[%s]: %s\n' "$name" "$*" >&2; }
usage() { sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cache="" server="" workload="$here/workloads/basic.sh" aname="" mopts="" timeout=180 logfile=""
have_mopts=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    --workload) workload=$2; shift 2 ;;
    --aname) aname=$2; shift 2 ;;
    --mount-opts) mopts=$2; have_mopts=1; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --log) logfile=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done
[[ -n $cache && -n $server ]] || usage

# --- prerequisites (skip, not fail, when they cannot be had) -----------------
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "SKIP: qemu-system-x86_64 not found: apt-get install qemu-system-x86"
  exit $SKIP
fi
prc=0
"$here/prepare.sh" "$cache" || prc=$?
if [[ $prc -eq $SKIP ]]; then
  echo "SKIP: guest kernel/initramfs cannot be prepared (see prepare: lines above)"
  exit $SKIP
elif [[ $prc -ne 0 ]]; then
  log "prepare.sh failed (rc=$prc)"; exit 1
fi

# --- free port -----------------------------------------------------------------
# Ports in use, from /proc/net/tcp{,6} (local address column, hex port).
used_ports() {
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk '$2 ~ /:/ { n = split($2, a, ":"); print a[n] }' | sort -u
}
listening() {   # port -> true if something listens on it (IPv4 any/loopback or IPv6)
  local hex
  hex=$(printf '%04X' "$1")
  if [[ -r /proc/net/tcp ]]; then
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }'
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
pick_port() {
  local used p _
  used=$(used_ports || true)
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    grep -qx "$(printf '%04X' "$p")" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}

port=$(pick_port) || { log "no free port found"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/p9check.XXXXXX")
export_dir=""
spid="" rpid=""
cleanup() {
  if [[ -n $rpid ]] && kill -0 "$rpid" 2>/dev/null; then
    kill "$rpid" 2>/dev/null || true
    wait "$rpid" 2>/dev/null || true
  fi
  if [[ -n $spid ]] && kill -0 "$spid" 2>/dev/null; then
    kill "$spid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$spid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$spid" 2>/dev/null && kill -KILL "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
  fi
  [[ -n $export_dir ]] && rm -rf "$export_dir"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if [[ $server$aname == *"{export}"* ]]; then
  export_dir=$(mktemp -d "${TMPDIR:-/tmp}/p9export.XXXXXX")
fi
subst() {
  local s=$1
  s=${s//\{port\}/$port}
  s=${s//\{export\}/$export_dir}
  printf '%s' "$s"
}
server_cmd=$(subst "$server")
aname=$(subst "$aname")
read -ra argv <<<"$server_cmd"

# --- start the server ------------------------------------------------------------
log "starting server: $server_cmd"
"${argv[@]}" </dev/null >"$work/server.log" 2>&1 &
spid=$!
deadline=$((SECONDS + 15))
until listening "$port"; do
  if ! kill -0 "$spid" 2>/dev/null; then
    wait "$spid" && src=0 || src=$?
    spid=""
    log "server exited (rc=$src) before listening on port $port:"
    sed 's/^/  server: /' "$work/server.log" >&2
    echo "FAIL: server did not start"
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    log "server not listening on 127.0.0.1:$port after 15 s"
    sed 's/^/  server: /' "$work/server.log" >&2
    echo "FAIL: server did not start"
    exit 1
  fi
  sleep 0.1
done
log "server pid $spid listening on 127.0.0.1:$port"

# --- run the guest ----------------------------------------------------------------
args=(--cache "$cache" --port "$port" --workload "$workload" --timeout "$timeout")
[[ -n $aname ]] && args+=(--aname "$aname")
((have_mopts)) && args+=(--mount-opts "$mopts")
[[ -n $logfile ]] && args+=(--log "$logfile")
rrc=0
# In the background so that a TERM to us is handled at once (bash defers
# traps while a foreground child runs); run.sh stops its own QEMU on TERM.
"$here/run.sh" "${args[@]}" &
rpid=$!
wait "$rpid" || rrc=$?
rpid=""

alive=1
kill -0 "$spid" 2>/dev/null || alive=0
if ((rrc != 0 || !alive)) && [[ -s $work/server.log ]]; then
  log "server output (last 30 lines):"
  tail -n 30 "$work/server.log" | tr -c '[:print:]\t\n' '?' | sed 's/^/  server: /' >&2
fi
if ((!alive)); then
  wait "$spid" && src=0 || src=$?
  spid=""
  log "server died during the run (rc=$src)"
  echo "FAIL: server exited during the workload"
  exit 1
fi
case $rrc in
  0) echo "PASS: $(basename "$workload") on $name" ; exit 0 ;;
  124) echo "FAIL: guest timed out" ;;
  125) echo "FAIL: guest could not mount or run the workload" ;;
  *) echo "FAIL: workload reported failures (rc=$rrc)" ;;
esac
exit 1
