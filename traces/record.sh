#!/usr/bin/env bash
# record.sh WORKLOAD [--server diod|p9ref-model|p9ref-posix|tcp:HOST:PORT] [--aname A]
#           [--mount-opts OPTS] [--msize N] [--name NAME] [--timeout SECS] [--out DIR]
#
# Records a real Linux v9fs session: starts the 9P server (diod by default, on
# a fresh export), puts `p9trace record` in front of it, boots the guest
# (traces/guest/run.sh) to mount the proxy and run
# traces/guest/workloads/WORKLOAD.sh, then writes traces/corpus/NAME.trace
# (NAME defaults to WORKLOAD) with metadata.
#
# Mount options: version=9p2000.L,uname=root[,cache=none unless a cache= is given], then the workload's
# `# mount: OPTS` line, then --mount-opts, then msize=N from --msize.
# Environment: P9_BUILD (default ./build), P9_GUEST_CACHE (default $P9_BUILD/guest-cache).
# Exit: 0 recorded; 1 failure; 124 the guest timed out (QEMU killed); 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${P9_BUILD:-$root/build}
cache=${P9_GUEST_CACHE:-$build/guest-cache}
say() { printf 'record: %s\n' "$*" >&2; }
usage() { sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 ]] || usage
workload=$1; shift
server=diod aname="" extra_opts="" msize="" name="" timeout=240 outdir="$here/corpus"
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --aname) aname=$2; shift 2 ;;
    --mount-opts) extra_opts=$2; shift 2 ;;
    --msize) msize=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --out) outdir=$2; shift 2 ;;
    -h|--help) usage ;;
    *) say "unknown argument: $1"; usage ;;
  esac
done
wfile=$workload
[[ -f $wfile ]] || wfile=$here/guest/workloads/$workload.sh
[[ -f $wfile ]] || { say "no workload $workload (looked for $wfile)"; exit 2; }
wname=$(basename "$wfile" .sh)
name=${name:-$wname}
p9trace=$build/bin/p9trace p9ref=$build/bin/p9ref
[[ -x $p9trace ]] || { say "$p9trace missing: cmake --build $build --target p9trace"; exit 1; }

opts="version=9p2000.L,uname=root"
wopts=$(sed -n 's/^# mount: *//p' "$wfile" | head -n1)
[[ "$wopts,$extra_opts" == *cache=* ]] || opts+=",cache=none"
[[ -n $wopts ]] && opts+=",$wopts"
[[ -n $extra_opts ]] && opts+=",$extra_opts"
[[ -n $msize ]] && opts+=",msize=$msize"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

work=$(mktemp -d "${TMPDIR:-/tmp}/p9record.XXXXXX")
spid="" ppid_="" export_dir=""
cleanup() {
  for p in $ppid_ $spid; do
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  [[ -n $export_dir ]] && rm -rf "$export_dir"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

say "preparing the guest in $cache"
"$here/guest/prepare.sh" "$cache" 2>"$work/prepare.log" || { cat "$work/prepare.log" >&2; say "guest not available"; exit 1; }
kernel="$(sed -n 's/^package=//p' "$cache/kernel.txt") $(sed -n 's/^version=//p' "$cache/kernel.txt")"

sport=""
case $server in
  diod)
    diod=$(command -v diod || echo /usr/sbin/diod)
    [[ -x $diod ]] || { say "diod not installed"; exit 1; }
    export_dir=$(mktemp -d "${TMPDIR:-/tmp}/p9export.XXXXXX"); chmod 0755 "$export_dir"
    sport=$(free_port)
    server_desc="diod $(dpkg-query -W -f '${Version}' diod 2>/dev/null || echo '?') (export on $(df --output=fstype "$export_dir" | tail -n1))"
    "$diod" -f -n -N -l "127.0.0.1:$sport" -e "$export_dir" -c /dev/null -L stderr >"$work/server.log" 2>&1 &
    spid=$!
    aname=${aname:-$export_dir} ;;
  p9ref-model|p9ref-posix)
    [[ -x $p9ref ]] || { say "$p9ref missing"; exit 1; }
    sport=$(free_port)
    backend=model
    if [[ $server == p9ref-posix ]]; then
      export_dir=$(mktemp -d "${TMPDIR:-/tmp}/p9export.XXXXXX"); chmod 0755 "$export_dir"; backend=posix:$export_dir
    fi
    server_desc="p9ref $backend"; [[ -n $export_dir ]] && server_desc="p9ref posix"
    "$p9ref" serve --listen "tcp:127.0.0.1:$sport" --backend "$backend" >"$work/server.log" 2>&1 &
    spid=$! ;;
  tcp:*)
    sport=${server##*:}; server_desc=$server ;;
  *) say "unknown server $server"; usage ;;
esac
for _ in $(seq 1 100); do listening "$sport" && break; sleep 0.1; done
listening "$sport" || { say "server not listening on $sport"; cat "$work/server.log" >&2; exit 1; }
say "server: $server_desc on 127.0.0.1:$sport"

pport=$(free_port)
mkdir -p "$outdir"
out=$outdir/$name.trace
"$p9trace" record --listen "tcp:127.0.0.1:$pport" --upstream "tcp:127.0.0.1:$sport" -o "$out" \
  --meta "workload=$wname" --meta "workload-sha256=$(sha256sum "$wfile" | cut -c1-16)" \
  --meta "kernel=$kernel" --meta "mount-options=$opts" --meta "server=$server_desc" \
  2>"$work/proxy.log" &
ppid_=$!
for _ in $(seq 1 100); do grep -q listening "$work/proxy.log" 2>/dev/null && break; sleep 0.1; done
say "proxy on 127.0.0.1:$pport; booting the guest (workload $wname, -o $opts, timeout ${timeout}s)"

rc=0
args=(--cache "$cache" --port "$pport" --workload "$wfile" --timeout "$timeout" --mount-opts "$opts")
[[ -n $aname ]] && args+=(--aname "$aname")
"$here/guest/run.sh" "${args[@]}" >"$work/workload.out" 2>"$work/run.log" || rc=$?
sed 's/^/  guest| /' "$work/workload.out" >&2
kill -INT "$ppid_"; wait "$ppid_" || true; ppid_=""
grep -v 'accepted$' "$work/proxy.log" | sed 's/^/  /' >&2 || true
case $rc in
  124) say "TIMEOUT: the guest did not finish within ${timeout}s; QEMU was killed (partial trace in $out)"
       sed 's/^/  /' "$work/run.log" >&2; exit 124 ;;
  125) say "the guest could not mount or run the workload"; sed 's/^/  /' "$work/run.log" >&2; exit 1 ;;
esac
# The workload's result goes into the header.
sed -i "2i # workload-rc: $rc" "$out"
frames=$(grep -c '^[0-9]' "$out" || true)
say "wrote $out: $frames frames, workload rc=$rc"
[[ $rc -eq 0 ]] || say "warning: the workload reported failures (see guest| lines)"
exit 0
