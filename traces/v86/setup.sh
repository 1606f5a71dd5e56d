#!/usr/bin/env bash
# setup.sh [DIR]
#
# Installs the pinned npm package `v86` (package.json, package-lock.json:
# 0.5.462, nothing else) into DIR/node_modules (default: this folder) with
# `npm ci` (scripts/npm-ci.sh). Exit 0 ready; 77 npm or the registry cannot be
# reached (the reason is printed); 1 other errors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../../scripts/npm-ci.sh" setup-v86 "$here" "${1:-$here}" v86
