#!/usr/bin/env bash
# setup.sh [DIR]
#
# Installs the pinned npm WASI hosts (package.json, package-lock.json:
# @bjorn3/browser_wasi_shim 0.4.2, @wasmer/wasi 1.2.2) into DIR/node_modules
# (default: this folder) with `npm ci`. Idempotent: when the installed
# versions are the locked ones it only checks. Exit 0 ready; 77 npm or the
# registry cannot be reached (the reason is printed); 1 other errors.
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-$here}
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
log() { printf 'setup-wasi-hosts: %s\n' "$*" >&2; }
skip() { printf 'setup-wasi-hosts: SKIP: %s\n' "$*" >&2; exit "$SKIP"; }

command -v node >/dev/null || skip "node not found (apt-get install nodejs)"
command -v npm >/dev/null || skip "npm not found (apt-get install npm)"
pkgs=("@bjorn3/browser_wasi_shim" "@wasmer/wasi")
ready() {
  local p want have
  for p in "${pkgs[@]}"; do
    want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/" + process.argv[2]].version)' \
      "$here/package-lock.json" "$p")
    have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
      "$dir/node_modules/$p/package.json" 2>/dev/null || true)
    [[ $have == "$want" ]] || return 1
  done
}
if ready; then
  log "hosts already in $dir/node_modules"
  exit 0
fi
if [[ $dir != "$here" ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
fi
log "npm ci: ${pkgs[*]} into $dir/node_modules"
if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
  skip "npm ci failed (no network or no access to the npm registry?)"
fi
ready || { log "error: installed versions differ from package-lock.json"; exit 1; }
log "hosts ready in $dir/node_modules"
