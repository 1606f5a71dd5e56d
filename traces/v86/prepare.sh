#!/usr/bin/env bash
# prepare.sh CACHE_DIR
#
# Everything a v86 guest needs, in CACHE_DIR, from Debian packages fetched
# with `apt-get download` and unpacked with dpkg-deb (never installed):
#   vmlinuz          linux-image-6.1.0-*-686 (i386, non-PAE), the bzImage v86 boots
#   bios.bin         SeaBIOS from Debian's `seabios` (usr/share/seabios/bios.bin)
#   initrd.cpio.gz   busybox-static (i386) + the virtio/9p modules in load order
#                    + traces/guest/init.sh as /init (the QEMU guest's init)
#   guest.txt        package names and versions (run.mjs puts them in traces)
# Idempotent: a second run with the same packages only checks (about 1 s).
#
# i386 packages need the i386 architecture in dpkg: when it is missing and we
# are root, `dpkg --add-architecture i386 && apt-get update` is run once.
#
# Exit codes: 0 ok, 77 a prerequisite cannot be had (not root for the i386
# setup, apt/network missing, package not downloadable), 1 other errors.
# Environment: P9_V86_KERNEL_PKG overrides the kernel package (e.g.
# linux-image-6.1.0-57-686-pae).
set -euo pipefail

SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guest=$(cd "$here/../guest" && pwd)
log() { printf 'prepare-v86: %s\n' "$*" >&2; }
die() { printf 'prepare-v86: error: %s\n' "$*" >&2; exit 1; }
skip() { printf 'prepare-v86: SKIP: %s\n' "$*" >&2; exit "$SKIP"; }

[[ $# -eq 1 ]] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
if command -v flock >/dev/null; then   # several tests may call us at once
  exec 9>"$cache/.lock"
  flock 9
fi

for t in apt-get apt-cache dpkg dpkg-deb gzip tar; do
  command -v "$t" >/dev/null || skip "$t not found (a Debian host is needed to fetch the guest)"
done
cpio_tool=""
if command -v cpio >/dev/null; then cpio_tool="cpio -o -H newc -R 0:0 --quiet"
elif [[ -x /bin/busybox ]]; then cpio_tool="/bin/busybox cpio -o -H newc -R 0:0"
else skip "no cpio (apt-get install cpio)"; fi

# --- i386 in dpkg --------------------------------------------------------------
kpkg=${P9_V86_KERNEL_PKG:-}
pick_kernel() {
  apt-cache depends linux-image-686:i386 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n1
}
if [[ -z $kpkg ]]; then
  kpkg=$(pick_kernel || true)
  if [[ -z $kpkg ]]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
      [[ $(id -u) -eq 0 ]] || skip "dpkg has no i386 architecture and we are not root: run 'dpkg --add-architecture i386 && apt-get update' as root"
      log "adding the i386 architecture to dpkg (dpkg --add-architecture i386)"
      dpkg --add-architecture i386
    fi
    [[ $(id -u) -eq 0 ]] || skip "apt has no i386 package lists and we are not root: run 'apt-get update' as root"
    log "apt-get update (i386 package lists)"
    apt-get update -q >&2 || skip "apt-get update failed (no network?)"
    kpkg=$(pick_kernel || true)
    [[ -n $kpkg ]] || skip "apt-cache names no kernel for linux-image-686:i386"
  fi
fi
if [[ -f $cache/guest.txt && -f $cache/vmlinuz && -f $cache/bios.bin && -f $cache/initrd.cpio.gz ]] &&
   grep -qx "package=$kpkg" "$cache/guest.txt"; then
  stamp=$( (cat "$guest/init.sh" "${BASH_SOURCE[0]}" "$cache/guest.txt") | cksum)
  if [[ -f $cache/initrd.stamp && $(cat "$cache/initrd.stamp") == "$stamp" ]]; then
    log "ready (cached): $(sed -n 's/^package=//p;s/^version=//p' "$cache/guest.txt" | tr '\n' ' ')"
    exit 0
  fi
fi

# --- download --------------------------------------------------------------------
dl="$cache/download.tmp"
rm -rf "$dl"; mkdir -p "$dl/x"
chmod 0777 "$dl"   # apt drops privileges to _apt for downloads
trap 'rm -rf "$dl"' EXIT
log "downloading $kpkg:i386 (about 52 MB), busybox-static:i386, seabios into $cache"
if ! (cd "$dl" && apt-get download -q "$kpkg:i386" busybox-static:i386 seabios >"$dl/apt.out" 2>&1); then
  sed 's/^/  apt: /' "$dl/apt.out" >&2
  skip "apt-get download failed (no network, or no i386 lists: apt-get update)"
fi
kdeb=$(ls "$dl"/linux-image-*.deb) bdeb=$(ls "$dl"/busybox-static_*.deb) sdeb=$(ls "$dl"/seabios_*.deb)

# --- unpack: the kernel image, its virtio/9p modules, busybox, bios.bin ---------
log "extracting $(basename "$kdeb") (boot/, drivers/virtio, net/9p, fs/{9p,netfs,fscache})"
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$dl/x" --wildcards \
  './boot/vmlinuz-*' './lib/modules/*/modules.builtin' \
  './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/net/9p/*' \
  './lib/modules/*/kernel/fs/9p/*' './lib/modules/*/kernel/fs/netfs/*' \
  './lib/modules/*/kernel/fs/fscache/*'
dpkg-deb -x "$bdeb" "$dl/bb"
dpkg-deb -x "$sdeb" "$dl/sb"
kver=$(ls "$dl/x/lib/modules" | head -n1)
[[ -n $kver && -f $dl/x/boot/vmlinuz-$kver ]] || die "unexpected layout in $(basename "$kdeb")"
[[ -f $dl/sb/usr/share/seabios/bios.bin ]] || die "no usr/share/seabios/bios.bin in $(basename "$sdeb")"
busybox=$dl/bb/bin/busybox
[[ -f $busybox ]] || busybox=$dl/bb/usr/bin/busybox
[[ -f $busybox ]] || die "no bin/busybox in $(basename "$bdeb")"

# Modules in dependency order, from each .ko's modinfo `depends=` field
# (scripts/mod/modpost.c writes it), starting from what a virtio 9P mount
# needs: the PCI transport (virtio_pci), the 9P virtio transport (9pnet_virtio)
# and the file system (9p). Built-in ones (modules.builtin) are skipped.
declare -A path_of=() seen=()
order=()
while IFS= read -r -d '' f; do n=${f##*/}; path_of[${n%%.ko*}]=$f; done \
  < <(find "$dl/x/lib/modules/$kver/kernel" -name '*.ko*' -print0)
builtin=$(sed 's#.*/##; s/\.ko.*$//' "$dl/x/lib/modules/$kver/modules.builtin" 2>/dev/null || true)
mkdir -p "$dl/ko"
visit() {
  local n=$1 src d deps
  [[ -n ${seen[$n]:-} ]] && return 0
  seen[$n]=1
  if grep -qx -- "$n" <<<"$builtin"; then log "  $n is built in"; return 0; fi
  src=${path_of[$n]:-}
  [[ -n $src ]] || die "module $n not found in $(basename "$kdeb")"
  case $src in
    *.ko) cp "$src" "$dl/ko/$n.ko" ;;
    *.ko.xz) xz -dc "$src" >"$dl/ko/$n.ko" ;;
    *.ko.zst) zstd -qdc "$src" >"$dl/ko/$n.ko" ;;
    *) die "unknown module compression: $src" ;;
  esac
  deps=$(tr '\0' '\n' <"$dl/ko/$n.ko" | sed -n 's/^depends=//p' | head -n1)
  for d in ${deps//,/ }; do visit "$d"; done
  order+=("$n")
}
for r in virtio_pci 9pnet_virtio 9p; do visit "$r"; done
log "modules in load order: ${order[*]}"

kversion=$(dpkg-deb -f "$kdeb" Version)
{
  echo "package=$kpkg"
  echo "version=$kversion"
  echo "kernel=$kver"
  echo "busybox=busybox-static:i386 $(dpkg-deb -f "$bdeb" Version)"
  echo "bios=seabios $(dpkg-deb -f "$sdeb" Version) usr/share/seabios/bios.bin"
  echo "modules=${order[*]}"
} >"$cache/guest.txt.tmp"

# --- initramfs ----------------------------------------------------------------------
# /init is the QEMU guest's init (traces/guest/init.sh); run.mjs appends the
# per-run /p9run.conf (P9_NET=none: no network, the 9P transport is virtio)
# and /workload.sh as a second archive, as traces/guest/run.sh does.
st="$dl/root"
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,etc,lib/modules}
cp "$busybox" "$st/bin/busybox"
# One link per applet. The list comes from the guest's busybox itself when
# the host runs i386 binaries, else from the host's busybox (same Debian
# release: the same applets).
applets=$("$st/bin/busybox" --list 2>/dev/null || true)
[[ -n $applets ]] || applets=$(/bin/busybox --list 2>/dev/null || true)
[[ -n $applets ]] || die "cannot list busybox applets (neither the i386 nor a host busybox runs)"
for a in $applets; do [[ $a == busybox ]] || ln -s busybox "$st/bin/$a"; done
ln -s ../bin/busybox "$st/usr/bin/busybox"
for n in "${order[@]}"; do cp "$dl/ko/$n.ko" "$st/lib/modules/"; done
printf '%s\n' "${order[@]}" >"$st/lib/modules/load-order.txt"
install -m 0755 "$guest/init.sh" "$st/init"
(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | $cpio_tool 2>/dev/null) | gzip -9n >"$cache/initrd.cpio.gz.tmp"

cp "$dl/x/boot/vmlinuz-$kver" "$cache/vmlinuz"
cp "$dl/sb/usr/share/seabios/bios.bin" "$cache/bios.bin"
mv "$cache/initrd.cpio.gz.tmp" "$cache/initrd.cpio.gz"
mv "$cache/guest.txt.tmp" "$cache/guest.txt"
(cat "$guest/init.sh" "${BASH_SOURCE[0]}" "$cache/guest.txt") | cksum >"$cache/initrd.stamp"
log "initramfs: $cache/initrd.cpio.gz ($(du -k "$cache/initrd.cpio.gz" | cut -f1) KiB)"
log "ready: $kpkg $kversion, $(sed -n 's/^busybox=//p' "$cache/guest.txt"), $(sed -n 's/^bios=//p' "$cache/guest.txt")"
