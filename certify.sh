#!/bin/sh
# The main job: set up (install what is missing), build, and certify a 9P2000.L
# server with the conformance suite; prints the certificate summary and writes
# the full report (Markdown, and the same as HTML) under build/conformance/.
#   ./certify.sh                          the built-in reference (p9ref, model backend, over TCP)
#   ./certify.sh p9ref:posix              p9ref over a host directory
#   ./certify.sh diod                     diod from Debian, started here
#   ./certify.sh opfs                     the OPFS build in headless Chromium (opfs/README.md)
#   ./certify.sh tcp:127.0.0.1:5640 /export [PROFILE]   any running server (aname, profile)
#   ./certify.sh --start 'CMD {port} {export}' [ANAME [PROFILE]]
#                                         a server this starts (and starts again when it dies):
#                                         {port} an unused loopback port, {export} a fresh directory
#   ./certify.sh --matrix TARGET...       each target certified in turn, then one page comparing
#                                         them (build/conformance/matrix.html), e.g.
#                                         --matrix p9ref:model p9ref:posix diod
#   --timeout SECONDS                     how long each reply may take (default 5)
#   --stress                              then load it (p9stress: P9_STRESS_CLIENTS, 8, clients for
#                                         P9_STRESS_SECONDS, 10, s) and append that section to the certificate
# PROFILE: NAME[:nohardlinks,noxattrs,nolocks,nomknod,noownership]
set -eu
cd "$(dirname "$0")"
stress=0
matrix=0
while [ $# -gt 0 ]; do
  case $1 in
  --start) export P9_START="$2"; shift 2 ;;
  --timeout) export P9_TIMEOUT="$2"; shift 2 ;;
  --stress) stress=1; shift ;;
  --matrix) matrix=1; shift ;;
  *) break ;;
  esac
done
if [ $matrix = 1 ]; then
  [ $# -gt 0 ] || { echo "certify: --matrix needs the targets to compare (e.g. --matrix p9ref:model diod)" >&2; exit 2; }
  [ -z "${P9_START:-}" ] || { echo "certify: --matrix takes targets by name, not --start" >&2; exit 2; }
fi
# With --start the target is the started server; the positional arguments are ANAME and PROFILE.
[ -n "${P9_START:-}" ] && set -- start "$@"
sh scripts/setup-debian.sh
echo "certify: building (first time: a few minutes)..."
sh scripts/build.sh > build.log 2>&1 || { tail -40 build.log; echo "certify: build failed; full log in build.log" >&2; exit 1; }
mkdir -p build/conformance
export P9REF="$PWD/build/bin/p9ref"
# certify TARGET [ANAME [PROFILE]]: the certificate of one target; sets $report (its Markdown).
certify() {
  name=$(echo "$1" | tr -c 'A-Za-z0-9._-' '_' | sed 's/_$//')
  report="$PWD/build/conformance/certificate-$name.md"
  echo "certify: running the conformance suite against $1 ..."
  rc=0
  P9_TARGET="$1" P9_ANAME="${2:-}" P9_PROFILE="${3:-${P9_PROFILE:-}}" P9_REPORT="$report" \
    build/bin/p9conform --gtest_brief=1 || rc=$?
  if [ $stress = 1 ]; then
    # A fresh start of the same target under load; p9stress exits 1 on any violation or tree mismatch.
    stress_report="$PWD/build/conformance/stress-$name.md"
    echo "certify: load test (p9stress, ${P9_STRESS_CLIENTS:-8} clients, ${P9_STRESS_SECONDS:-10} s) against $1 ..."
    rm -f "$stress_report"
    P9_TARGET="$1" P9_ANAME="${2:-}" P9_PROFILE="${3:-${P9_PROFILE:-}}" \
      build/bin/p9stress --clients "${P9_STRESS_CLIENTS:-8}" --seconds "${P9_STRESS_SECONDS:-10}" \
      --report "$stress_report" > /dev/null || rc=$?
    if [ -s "$stress_report" ]; then
      grep -E '^\| (result|operations|9P requests|protocol violations|unexpected errors|final tree|server memory)' "$stress_report"
      { echo; cat "$stress_report"; } >> "$report"
    fi
  fi
  echo "certify: full report: $report (and ${report%.md}.html)"
  return $rc
}
status=0
if [ $matrix = 0 ]; then
  certify "${1:-p9ref:model}" "${2:-}" "${3:-}" || status=$?
  exit $status
fi
summaries=""
for target in "$@"; do
  certify "$target" || status=$?
  [ -s "${report%.md}.summary" ] || { echo "certify: $target left no certificate; not in the matrix" >&2; continue; }
  summaries="$summaries build/conformance/certificate-$name.summary"
done
[ -n "$summaries" ] || { echo "certify: no target could be certified" >&2; exit 1; }
# shellcheck disable=SC2086 # the summaries' paths have no spaces ($name is made of [A-Za-z0-9._-])
build/bin/p9conform --matrix "$PWD/build/conformance/matrix.html" $summaries || exit 1
exit $status
