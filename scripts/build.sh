#!/bin/sh
# Configures and builds p9conform into build/ (or $P9_BUILD_DIR).
set -eu
cd "$(dirname "$0")/.."
BUILD=${P9_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DP9_WERROR=ON "$@"
cmake --build "$BUILD" -j "$(nproc)"
