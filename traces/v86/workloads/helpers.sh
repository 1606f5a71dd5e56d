#!/bin/sh
# helpers.sh MOUNTPOINT: the guest's side of the page-helper check (run by
# chromium.mjs --helpers): the page wrote from-page.txt with server.writeFile
# before the boot; the guest reads it and writes from-guest.txt, which the
# page reads with server.readFile after the unmount. One tree, both ways.
set -u
M=${1:?usage: helpers.sh MOUNTPOINT}
rc=0
check() { if [ "$2" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: want '$2', got '$3'"; rc=1; fi; }
check from-page "written by the page" "$(cat "$M/from-page.txt" 2>&1)"
check from-page.size 20 "$(stat -c %s "$M/from-page.txt" 2>&1)"
echo "written by the guest" >"$M/from-guest.txt" && echo "ok write" || { echo "FAIL write"; rc=1; }
exit $rc
