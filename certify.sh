#!/bin/sh
# The main job: set up (install what is missing), build, and certify a 9P2000.L
# server with the conformance suite; prints the certificate summary and writes
# the full report (Markdown) under build/conformance/.
#   ./certify.sh                          the built-in reference (p9ref, model backend, over TCP)
#   ./certify.sh p9ref:posix              p9ref over a host directory
#   ./certify.sh diod                     diod from Debian, started here
#   ./certify.sh opfs                     the OPFS build in headless Chromium (opfs/README.md)
#   ./certify.sh tcp:127.0.0.1:5640 /export [PROFILE]   any running server (aname, profile)
#   ./certify.sh --start 'CMD {port} {export}' [ANAME [PROFILE]]
#                                         a server this starts (and starts again when it dies):
#                                         {port} an unused loopback port, {export} a fresh directory
#   --timeout SECONDS                     how long each reply may take (default 5)
#   --stress                              then load it (p9stress: P9_STRESS_CLIENTS, 8, clients for
#                                         P9_STRESS_SECONDS, 10, s) and append that section to the certificate
# PROFILE: NAME[:nohardlinks,noxattrs,nolocks,nomknod,noownership]
set -eu
cd "$(dirname "$0")"
stress=0
while [ $# -gt 0 ]; do
  case $1 in
  --start) export P9_START="$2"; shift 2 ;;
  --timeout) export P9_TIMEOUT="$2"; shift 2 ;;
  --stress) stress=1; shift ;;
  *) break ;;
  esac
done
# With --start the target is the started server; the positional arguments are ANAME and PROFILE.
[ -n "${P9_START:-}" ] && set -- start "$@"
sh scripts/setup-debian.sh
echo "certify: building (first time: a few minutes)..."
sh scripts/build.sh > build.log 2>&1 || { tail -40 build.log; echo "certify: build failed; full log in build.log" >&2; exit 1; }
target=${1:-p9ref:model}
name=$(echo "$target" | tr -c 'A-Za-z0-9._-' '_' | sed 's/_$//')
mkdir -p build/conformance
export P9_TARGET="$target" P9_ANAME="${2:-}" P9REF="$PWD/build/bin/p9ref"
[ -n "${3:-}" ] && export P9_PROFILE="$3"
export P9_REPORT="$PWD/build/conformance/certificate-$name.md"
echo "certify: running the conformance suite against $target ..."
status=0
build/bin/p9conform --gtest_brief=1 || status=$?
if [ $stress = 1 ]; then
  # A fresh start of the same target under load; p9stress exits 1 on any violation or tree mismatch.
  stress_report="$PWD/build/conformance/stress-$name.md"
  echo "certify: load test (p9stress, ${P9_STRESS_CLIENTS:-8} clients, ${P9_STRESS_SECONDS:-10} s) against $target ..."
  rm -f "$stress_report"
  build/bin/p9stress --clients "${P9_STRESS_CLIENTS:-8}" --seconds "${P9_STRESS_SECONDS:-10}" \
    --report "$stress_report" > /dev/null || status=$?
  if [ -s "$stress_report" ]; then
    grep -E '^\| (result|operations|9P requests|protocol violations|unexpected errors|final tree|server memory)' "$stress_report"
    { echo; cat "$stress_report"; } >> "$P9_REPORT"
  fi
fi
echo "certify: full report: $P9_REPORT"
exit $status
