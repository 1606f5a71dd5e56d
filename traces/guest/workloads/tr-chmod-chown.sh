#!/bin/sh
# chmod-chown.sh MOUNTPOINT — chmod (octal, symbolic, setuid/sticky), chown, chgrp
# Trace workload (traces/record.sh); deterministic data only.
set -u
M=${1:?usage: WORKLOAD MOUNTPOINT}
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }
mkdir $M/p; echo x > $M/p/f
mark chmod
for m in 0000 0444 0755 4755 2755 1777 0600; do chmod $m $M/p/f; check "chmod$m" "$(echo $m | sed 's/^0*//;s/^$/0/')" "$(stat -c %a $M/p/f | sed 's/^0*//;s/^$/0/')"; done
mark chmod_sym
chmod 0644 $M/p/f; run chmod_sym chmod u+x,g+w,o-r $M/p/f
check chmod_sym_mode 760 "$(stat -c %a $M/p/f)"
mark chown
run chown chown 1000:1000 $M/p/f
check owner "1000 1000" "$(stat -c '%u %g' $M/p/f)"
run chgrp chgrp 50 $M/p/f
check group 50 "$(stat -c %g $M/p/f)"
mark chown_dir
run chown_dir chown -R 123:456 $M/p
check dir_owner "123 456" "$(stat -c '%u %g' $M/p)"
mark sticky
run sticky chmod 1777 $M/p
check sticky 1777 "$(stat -c %a $M/p)"
rm -rf $M/p
exit $rc
