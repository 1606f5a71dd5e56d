#!/usr/bin/env bash
# setup.sh [DIR]
#
# Installs the pinned npm WASI hosts (package.json, package-lock.json:
# @bjorn3/browser_wasi_shim 0.4.2, @wasmer/wasi 1.2.2) into DIR/node_modules
# (default: this folder) with `npm ci` (scripts/npm-ci.sh). Exit 0 ready;
# 77 npm or the registry cannot be reached (the reason is printed); 1 other errors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../../../scripts/npm-ci.sh" setup-wasi-hosts "$here" "${1:-$here}" @bjorn3/browser_wasi_shim @wasmer/wasi
