#!/usr/bin/env bash
# npm-ci.sh LABEL LOCKDIR DIR PACKAGE...
#
# Installs the npm packages pinned by LOCKDIR/package.json and
# LOCKDIR/package-lock.json into DIR/node_modules with `npm ci` (DIR may be
# LOCKDIR). Idempotent: when every PACKAGE named is installed at its locked
# version it only checks (a version's "+build" suffix, as v86 publishes,
# is ignored). Exit 0 ready; 77 npm or the registry cannot be reached (the
# reason is printed); 1 other errors. Messages start with "LABEL: ".
# Used by traces/v86/setup.sh and conformance/wasi/hosts/setup.sh.
set -euo pipefail

SKIP=77
label=${1:?usage: npm-ci.sh LABEL LOCKDIR DIR PACKAGE...}
lockdir=$(cd "${2:?}" && pwd)
dir=${3:?}
shift 3
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)  # require() needs an absolute path
log() { printf '%s: %s\n' "$label" "$*" >&2; }
skip() { printf '%s: SKIP: %s\n' "$label" "$*" >&2; exit "$SKIP"; }

command -v node >/dev/null || skip "node not found (apt-get install nodejs)"
command -v npm >/dev/null || skip "npm not found (apt-get install npm)"
ready() {
  local p want have
  for p in "$@"; do
    want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/" + process.argv[2]].version)' \
      "$lockdir/package-lock.json" "$p")
    have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
      "$dir/node_modules/$p/package.json" 2>/dev/null || true)
    [[ -n $have && ${have%%+*} == "$want" ]] || return 1
  done
}
if ready "$@"; then
  log "$* already in $dir/node_modules"
  exit 0
fi
[[ $dir == "$lockdir" ]] || cp "$lockdir/package.json" "$lockdir/package-lock.json" "$dir/"
log "npm ci: $* into $dir/node_modules"
if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
  skip "npm ci failed (no network or no access to the npm registry?)"
fi
ready "$@" || { log "error: installed versions differ from package-lock.json"; exit 1; }
log "$* ready in $dir/node_modules"
