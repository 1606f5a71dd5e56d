#!/usr/bin/env bash
# setup.sh [DIR]
#
# Installs the pinned npm package `v86` (package.json, package-lock.json:
# 0.5.462, nothing else) into DIR/node_modules (default: this folder) with
# `npm ci`. Idempotent: when the installed version is the locked one it only
# checks. Exit 0 ready; 77 npm or the registry cannot be reached (the reason
# is printed); 1 other errors.
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-$here}
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)  # require() needs an absolute path
log() { printf 'setup-v86: %s\n' "$*" >&2; }
skip() { printf 'setup-v86: SKIP: %s\n' "$*" >&2; exit "$SKIP"; }

command -v node >/dev/null || skip "node not found (apt-get install nodejs)"
command -v npm >/dev/null || skip "npm not found (apt-get install npm)"
want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/v86"].version)' "$here/package-lock.json")
have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
  "$dir/node_modules/v86/package.json" 2>/dev/null || true)
# The published package.json says e.g. 0.5.462+g5f9a90f (the build's commit).
if [[ -n $have && ${have%%+*} == "$want" && -f $dir/node_modules/v86/build/libv86.mjs && -f $dir/node_modules/v86/build/v86.wasm ]]; then
  log "v86 $have already in $dir/node_modules"
  exit 0
fi
if [[ $dir != "$here" ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
fi
log "npm ci: v86 $want into $dir/node_modules (about 3 MB download)"
if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
  skip "npm ci failed (no network or no access to the npm registry?)"
fi
have=$(node -e 'console.log(require(process.argv[1]).version)' "$dir/node_modules/v86/package.json")
[[ ${have%%+*} == "$want" ]] || { log "error: installed v86 $have, locked $want"; exit 1; }
log "v86 $have ready in $dir/node_modules"
