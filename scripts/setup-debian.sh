#!/bin/sh
# Installs what a fresh Debian 12 machine lacks to build and test p9conform.
# Idempotent: does nothing when every package is already installed.
# Runs apt-get as root (directly, or through sudo when not root).
set -eu
PACKAGES="build-essential cmake ninja-build ccache pkg-config git xz-utils
  googletest libgtest-dev libgmock-dev librapidcheck-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format
  diod qemu-system-x86 busybox-static tshark cpio zip
  emscripten nodejs chromium
  wasi-libc lld-14 libclang-rt-14-dev-wasm32"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# wasi-libc, lld-14 (wasm-ld) and libclang-rt-14-dev-wasm32 (compiler-rt's
# builtins for wasm32): clang-14 --target=wasm32-wasi builds the WASI probes
# (conformance/wasi/) with them.
# npm: traces/v86/setup.sh installs the pinned v86 package with it. Debian's
# nodejs comes without npm; a Node from elsewhere may bring its own.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
