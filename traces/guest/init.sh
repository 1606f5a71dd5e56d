#!/bin/sh
# /init of the guest initramfs (busybox ash). Built into the base initrd by
# prepare.sh. The per-run archive appended by run.sh adds:
#   /p9run.conf   shell assignments: P9_HOST P9_OPTS P9_WORKLOAD [P9_NET]
#                 (P9_NET=none: no network set-up, for a virtio 9P transport:
#                 the v86 guest, traces/v86/)
#   /workload.sh  the workload, run as `sh /workload.sh /mnt`
# Kernel messages and progress go to the console (ttyS0); the workload's
# output goes to the second serial port (ttyS1) between marker lines:
#   ==P9-WORKLOAD-BEGIN==  ...  ==P9-WORKLOAD-END rc=N==
# then ==P9-UMOUNT rc=N==; or a single ==P9-MOUNT-FAILED rc=N== or
# ==P9-SETUP-FAILED what== line.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

say() { echo "p9guest: $*" >/dev/console; }
out=/dev/ttyS1
[ -c $out ] || out=/dev/console
stty -F $out raw -echo 2>/dev/null
emit() { echo "$*" >$out; }      # closing a serial tty waits for the drain
finish() { sync; say "powering off"; poweroff -f; sleep 5; }
setup_failed() { say "setup failed: $*"; emit "==P9-SETUP-FAILED $*=="; finish; }

[ -f /p9run.conf ] || setup_failed "no /p9run.conf (run via run.sh)"
. /p9run.conf

for m in $(cat /lib/modules/load-order.txt); do
  insmod /lib/modules/$m.ko || setup_failed "insmod $m"
done

if [ "${P9_NET:-user}" != none ]; then
  i=0
  while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  [ -e /sys/class/net/eth0 ] || setup_failed "no eth0"
  # QEMU user networking: guest 10.0.2.15, host loopback reachable as 10.0.2.2.
  ip link set lo up
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
fi

say "mount -t 9p -o $P9_OPTS $P9_HOST /mnt"
mount -t 9p -o "$P9_OPTS" "$P9_HOST" /mnt
rc=$?
if [ $rc -ne 0 ]; then
  say "mount failed rc=$rc"
  emit "==P9-MOUNT-FAILED rc=$rc=="
  finish
fi

say "running workload"
emit "==P9-WORKLOAD-BEGIN=="
(cd /tmp && sh "$P9_WORKLOAD" /mnt) >$out 2>&1 </dev/null
rc=$?
emit "==P9-WORKLOAD-END rc=$rc=="
say "workload rc=$rc"

cd /
umount /mnt
rc=$?
[ $rc -eq 0 ] || say "umount /mnt failed rc=$rc"
emit "==P9-UMOUNT rc=$rc=="
finish
