#!/bin/sh
# Sets up (installs missing Debian packages), builds, and runs every test.
# Extra arguments go to ctest, e.g. ./test.sh -L unit
set -eu
cd "$(dirname "$0")"
sh scripts/setup-debian.sh
sh scripts/build.sh
cd "${P9_BUILD_DIR:-build}"
ctest --output-on-failure -j 2 "$@"
