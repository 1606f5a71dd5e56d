#!/usr/bin/env bash
# prepare.sh CACHE_DIR
#
# Fetches Debian's stock kernel (never installs it) and builds a busybox
# initramfs that can mount 9P2000.L over TCP. Idempotent: a second run with
# the same kernel package does nothing but check.
#
# Result in CACHE_DIR:
#   vmlinuz              kernel image
#   initrd.cpio.gz       busybox + /init + the 9p/virtio-net modules
#   kernel.txt           name and version of the kernel package used
#
# Exit codes: 0 ok, 77 a prerequisite cannot be had (no qemu, no busybox,
# kernel package not downloadable), 1 other errors.
# Environment: P9_GUEST_KERNEL_PKG overrides the kernel package name.
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'prepare: %s\n' "$*" >&2; }
die() { printf 'prepare: error: %s\n' "$*" >&2; exit 1; }
skip() { printf 'prepare: SKIP: %s\n' "$*" >&2; exit "$SKIP"; }

[[ $# -eq 1 ]] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
# Several test drivers may call us at once: one at a time per cache.
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  flock 9
fi

# --- prerequisites -----------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null ||
  skip "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
busybox=""
for b in /bin/busybox /usr/bin/busybox; do
  if [[ -x $b ]] && ! LC_ALL=C grep -aq '/lib64/ld-linux' "$b"; then busybox=$b; break; fi
done
[[ -n $busybox ]] || skip "no statically linked busybox at /bin/busybox: apt-get install busybox-static"
for t in gzip dpkg-deb; do
  command -v "$t" >/dev/null || die "$t not found"
done

# --- kernel ------------------------------------------------------------------
# The modules the guest needs, as roots; their dependencies are resolved from
# the depends= field of each .ko. 9pnet_fd provides trans=tcp and is not
# auto-loaded; 9pnet_virtio is not needed for TCP but costs nothing.
roots=(virtio_pci virtio_net 9pnet_fd 9pnet_virtio 9p)

wanted_pkg=${P9_GUEST_KERNEL_PKG:-}
if [[ -z $wanted_pkg ]] && command -v apt-cache >/dev/null; then
  wanted_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1) || true
fi
have_pkg=""
[[ -f $cache/kernel.txt ]] && have_pkg=$(sed -n 's/^package=//p' "$cache/kernel.txt")

if [[ -n $have_pkg && -f $cache/vmlinuz && -d $cache/modules && ( -z $wanted_pkg || $wanted_pkg == "$have_pkg" ) ]]; then
  log "kernel $have_pkg already in $cache"
else
  [[ -n $wanted_pkg ]] ||
    skip "cannot tell which kernel package to use (apt-cache depends linux-image-amd64 gave nothing; run apt-get update or set P9_GUEST_KERNEL_PKG)"
  command -v apt-get >/dev/null || skip "apt-get not found: cannot download $wanted_pkg"
  log "downloading $wanted_pkg (about 70 MB) into $cache"
  dl="$cache/download.tmp"
  rm -rf "$dl"; mkdir -p "$dl"
  # apt drops privileges to _apt; let it write into the download dir.
  chmod 0777 "$dl"
  if ! (cd "$dl" && apt-get download -q "$wanted_pkg" >&2 2>"$dl/apt.err"); then
    cat "$dl/apt.err" >&2 || true
    rm -rf "$dl"
    skip "apt-get download $wanted_pkg failed (no network or no apt lists?)"
  fi
  deb=$(ls "$dl"/*.deb)
  version=$(dpkg-deb -f "$deb" Version)
  # The whole package unpacks to ~400 MB; the guest needs the kernel image
  # and a few modules from these folders. If a dependency lives elsewhere we
  # fall back to unpacking everything (dpkg-deb -x).
  log "extracting $(basename "$deb") (kernel image, net/fs/virtio modules)"
  mkdir -p "$dl/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" --wildcards \
    './boot/vmlinuz-*' './boot/config-*' \
    './lib/modules/*/modules.builtin' './lib/modules/*/modules.order' \
    './lib/modules/*/kernel/net/*' './lib/modules/*/kernel/fs/*' \
    './lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/drivers/virtio/*' \
    './lib/modules/*/kernel/lib/*' './lib/modules/*/kernel/crypto/*'
  kver=$(ls "$dl/x/lib/modules" | head -n1)
  [[ -n $kver && -f $dl/x/boot/vmlinuz-$kver ]] || die "unexpected layout in $deb"
  rm -rf "$cache/modules" "$cache/vmlinuz" "$cache/config"
  mkdir -p "$cache/modules"
  cp "$dl/x/boot/vmlinuz-$kver" "$cache/vmlinuz"
  cp "$dl/x/boot/config-$kver" "$cache/config"
  for f in modules.builtin modules.order; do
    [[ -f $dl/x/lib/modules/$kver/$f ]] && cp "$dl/x/lib/modules/$kver/$f" "$cache/modules/"
  done
  builtin_list=$(sed 's#.*/##; s/\.ko.*$//' "$cache/modules/modules.builtin" 2>/dev/null || true)
  is_builtin() { grep -qx -- "$1" <<<"$builtin_list" || grep -qx -- "${1//-/_}" <<<"$builtin_list"; }
  # Module files, decompressed (busybox insmod may not handle .ko.xz/.zst),
  # in dependency order from the depends= field of each .ko.
  declare -A path_of=() done_=()
  order=() missing=""
  fetch_mod() {   # name -> $cache/modules/ko/name.ko
    local n=$1 src=${path_of[$1]:-}
    [[ -n $src ]] || return 1
    case $src in
      *.ko) cp "$src" "$cache/modules/ko/$n.ko" ;;
      *.ko.xz) xz -dc "$src" >"$cache/modules/ko/$n.ko" ;;
      *.ko.zst) zstd -qdc "$src" >"$cache/modules/ko/$n.ko" ;;
      *.ko.gz) gzip -dc "$src" >"$cache/modules/ko/$n.ko" ;;
      *) die "unknown module compression: $src" ;;
    esac
  }
  visit() {
    local n=$1 d deps
    [[ -n ${done_[$n]:-} ]] && return 0
    done_[$n]=1
    if is_builtin "$n"; then log "  $n is built in"; return 0; fi
    fetch_mod "$n" || { missing+=" $n"; return 0; }
    deps=$(tr '\0' '\n' <"$cache/modules/ko/$n.ko" | sed -n 's/^depends=//p' | head -n1)
    for d in ${deps//,/ }; do visit "$d"; done
    order+=("$n")
  }
  resolve() {
    path_of=() done_=() order=() missing=""
    rm -rf "$cache/modules/ko"; mkdir -p "$cache/modules/ko"
    local f n
    while IFS= read -r -d '' f; do
      n=${f##*/}; n=${n%%.ko*}; path_of[$n]=$f
    done < <(find "$dl/x/lib/modules/$kver/kernel" -name '*.ko*' -print0)
    for r in "${roots[@]}"; do visit "$r"; done
    [[ -z $missing ]]
  }
  if ! resolve; then
    log "modules not in the partial extraction:$missing; unpacking the whole package"
    dpkg-deb -x "$deb" "$dl/x"
    resolve || die "modules not found in $wanted_pkg:$missing"
  fi
  printf '%s\n' "${order[@]}" >"$cache/modules/load-order.txt"
  printf 'package=%s\nversion=%s\nkernel=%s\nmodules=%s\n' \
    "$wanted_pkg" "$version" "$kver" "${order[*]}" >"$cache/kernel.txt"
  rm -rf "$dl" "$cache/initrd.cpio.gz"
  log "kernel $kver ready; modules: ${order[*]}"
fi

# --- initramfs ---------------------------------------------------------------
stamp_src=$( (cat "$here/init.sh" "${BASH_SOURCE[0]}" "$cache/kernel.txt"; ls -lL "$busybox") | cksum)
if [[ -f $cache/initrd.cpio.gz && -f $cache/initrd.stamp ]] && [[ $(cat "$cache/initrd.stamp") == "$stamp_src" ]]; then
  log "initramfs up to date: $cache/initrd.cpio.gz"
else
  log "building initramfs from $busybox"
  st="$cache/initrd.tmp"
  rm -rf "$st"
  mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,etc,lib/modules}
  cp "$busybox" "$st/bin/busybox"
  # One symlink per applet, all in /bin (busybox's own installer).
  # The links point at busybox's host path (/usr/bin/busybox with merged
  # /usr): make that path exist in the guest too.
  "$busybox" --install -s "$st/bin"
  [[ -L $st/bin/sh ]] || ln -s busybox "$st/bin/sh"
  target=$(readlink "$st/bin/sh")
  if [[ $target == /* && ! -e $st$target ]]; then
    mkdir -p "$st${target%/*}"
    ln -s /bin/busybox "$st$target"
  fi
  while read -r n; do cp "$cache/modules/ko/$n.ko" "$st/lib/modules/"; done <"$cache/modules/load-order.txt"
  cp "$cache/modules/load-order.txt" "$st/lib/modules/load-order.txt"
  install -m 0755 "$here/init.sh" "$st/init"
  (cd "$st" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -9n >"$cache/initrd.cpio.gz.tmp"
  mv "$cache/initrd.cpio.gz.tmp" "$cache/initrd.cpio.gz"
  printf '%s' "$stamp_src" >"$cache/initrd.stamp"
  rm -rf "$st"
  log "initramfs: $cache/initrd.cpio.gz ($(du -k "$cache/initrd.cpio.gz" | cut -f1) KiB)"
fi
log "ready: $(sed -n 's/^package=//p' "$cache/kernel.txt") $(sed -n 's/^version=//p' "$cache/kernel.txt")"
