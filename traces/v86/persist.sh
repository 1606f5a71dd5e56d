#!/usr/bin/env bash
# persist.sh [--reload] [chromium.mjs ARGS...]
#
# Persistence as a user sees it: boots the guest in headless Chromium on the
# OPFS server with workloads/persist-write.sh over a fresh profile, stops
# Chromium (SIGTERM), starts it again on the same profile (same origin, same
# OPFS store) and boots the guest with workloads/persist-check.sh. ARGS go to
# both runs (--cache, --v86, --web, --msize, --timeout ...); --log FILE gets
# FILE.write and FILE.check.
# --reload: one Chromium; the page itself reloads between the two boots
# (chromium.mjs --reload-with), the store let go with server.close().
# Exit: 0 both passed; the first failing run's status otherwise (77:
# skipped, with its reason).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
args=() log="" reload=0
while [[ $# -gt 0 ]]; do
  if [[ $1 == --log ]]; then log=$2; shift 2
  elif [[ $1 == --reload ]]; then reload=1; shift
  else args+=("$1"); shift; fi
done
profile=$(mktemp -d "${TMPDIR:-/tmp}/p9v86-persist.XXXXXX")
trap 'rm -rf "$profile"' EXIT
if [[ $reload == 1 ]]; then
  extra=()
  [[ -n $log ]] && extra=(--log "$log")
  node "$here/chromium.mjs" "${args[@]}" "${extra[@]}" --profile "$profile" --store persist \
    --workload "$here/workloads/persist-write.sh" --reload-with "$here/workloads/persist-check.sh"
  rc=$?
  [[ $rc -eq 0 ]] && echo "PASS: the tree written before the page reload is there after it"
  exit $rc
fi
for step in write check; do
  echo "== persist-$step (profile $profile)"
  extra=()
  [[ -n $log ]] && extra=(--log "$log.$step")
  node "$here/chromium.mjs" "${args[@]}" "${extra[@]}" --profile "$profile" --store persist \
    --workload "$here/workloads/persist-$step.sh"
  rc=$?
  if [[ $rc -ne 0 ]]; then echo "persist-$step: rc=$rc"; exit $rc; fi
done
echo "PASS: the tree written before the restart is there after it"
