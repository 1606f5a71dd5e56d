#!/bin/sh
# basic.sh MOUNTPOINT — everyday file operations on a 9P mount, each checked.
# Runs under busybox ash in the guest. Prints `ok STEP` or `FAIL STEP: why`
# per step and `__MARK_step` walks (a failing `ls` of a name that does not
# exist) that split a recorded trace into steps. Exits 1 if any step failed.
set -u
M=${1:?usage: basic.sh MOUNTPOINT}
D=$M/p9basic
T=/tmp/p9basic.$$
rc=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; rc=1; }
mark() { ls "$M/__MARK_$1" >/dev/null 2>&1; }
# check STEP WANT GOT
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi; }
# run STEP CMD... — the command must succeed
run() { s=$1; shift; if out=$("$@" 2>&1); then ok "$s"; else fail "$s" "'$*' failed: $out"; fi; }

mkdir -p "$T"
rm -rf "$D" 2>/dev/null

mark mkdir
run mkdir mkdir "$D"
check mkdir.isdir directory "$(stat -c %F "$D" 2>&1)"

mark write
echo "hello 9p" >"$D/a.txt" && ok write || fail write "echo > a.txt failed"
check write.size 9 "$(stat -c %s "$D/a.txt" 2>&1)"

mark cat
check cat "hello 9p" "$(cat "$D/a.txt" 2>&1)"

mark append
echo "second line" >>"$D/a.txt" || fail append "echo >> a.txt failed"
check append "hello 9p|second line" "$(tr '\n' '|' <"$D/a.txt" | sed 's/|$//')"

mark ls
check ls "a.txt" "$(ls "$D" 2>&1)"

mark mv
run mv mv "$D/a.txt" "$D/b.txt"
l=$(ls "$D" 2>&1)
check mv.listing "b.txt" "$l"
[ -e "$D/a.txt" ] && fail mv.old "a.txt still exists" || ok mv.old
check mv.content "hello 9p|second line" "$(tr '\n' '|' <"$D/b.txt" | sed 's/|$//')"

mark symlink
run symlink ln -s b.txt "$D/sym"
check symlink.readlink b.txt "$(readlink "$D/sym" 2>&1)"
check symlink.type "symbolic link" "$(stat -c %F "$D/sym" 2>&1)"
check symlink.follow "hello 9p" "$(head -n1 "$D/sym" 2>&1)"

mark link
run link ln "$D/b.txt" "$D/hard"
check link.nlink 2 "$(stat -c %h "$D/b.txt" 2>&1)"
check link.ino "$(stat -c %i "$D/b.txt" 2>&1)" "$(stat -c %i "$D/hard" 2>&1)"
check link.content "hello 9p" "$(head -n1 "$D/hard" 2>&1)"

mark chmod
run chmod chmod 0640 "$D/b.txt"
check chmod.mode 640 "$(stat -c %a "$D/b.txt" 2>&1)"
run chmod.dir chmod 0700 "$D"
check chmod.dirmode 700 "$(stat -c %a "$D" 2>&1)"
chmod 0755 "$D"

mark touch
run touch.create touch "$D/empty"
check touch.size 0 "$(stat -c %s "$D/empty" 2>&1)"
run touch.time touch -d "2001-02-03 04:05:06" "$D/empty"
check touch.mtime "2001-02-03 04:05:06" "$(date -d "@$(stat -c %Y "$D/empty")" '+%Y-%m-%d %H:%M:%S' 2>&1)"

mark truncate
run truncate.shrink truncate -s 5 "$D/b.txt"
check truncate.size 5 "$(stat -c %s "$D/b.txt" 2>&1)"
check truncate.content "hello" "$(cat "$D/b.txt" 2>&1)"
run truncate.grow truncate -s 100000 "$D/b.txt"
check truncate.grow.size 100000 "$(stat -c %s "$D/b.txt" 2>&1)"
check truncate.hole 0 "$(tail -c 99995 "$D/b.txt" | tr -d '\0' | wc -c)"

mark dd_write
dd if=/dev/urandom of="$T/big" bs=65536 count=16 2>/dev/null
run dd.write dd if="$T/big" of="$D/big" bs=65536
check dd.size 1048576 "$(stat -c %s "$D/big" 2>&1)"

mark dd_read
run dd.read dd if="$D/big" of="$T/back" bs=65536
if cmp "$T/big" "$T/back" >/dev/null 2>&1; then ok dd.cmp; else fail dd.cmp "read-back differs from what was written"; fi
check dd.md5 "$(md5sum <"$T/big")" "$(md5sum <"$D/big")"
# A write in the middle of the file, then a read of just that region.
printf 'XYZ' | dd of="$D/big" bs=1 seek=500000 conv=notrunc 2>/dev/null
check dd.pwrite XYZ "$(dd if="$D/big" bs=1 skip=500000 count=3 2>/dev/null)"
check dd.pwrite.size 1048576 "$(stat -c %s "$D/big" 2>&1)"

mark df
dfl=$(df -k "$M" 2>&1 | tail -n1)
case $dfl in
  *" $M") ok df ;;
  *) fail df "df -k $M printed '$dfl'" ;;
esac
total=$(echo "$dfl" | awk '{print $2}')
[ "${total:-0}" -gt 0 ] 2>/dev/null && ok df.total || fail df.total "total blocks '$total'"

mark stat
check stat.type "regular file" "$(stat -c %F "$D/big" 2>&1)"
check stat.size_nlink "1048576 1" "$(stat -c '%s %h' "$D/big" 2>&1)"
check stat.dir "directory" "$(stat -c %F "$D" 2>&1)"

mark ls_la
la=$(ls -la "$D" 2>&1)
for n in big b.txt empty hard sym; do
  echo "$la" | grep -q " $n\( ->.*\)\{0,1\}\$" || fail "ls_la.$n" "missing from: $la"
done
echo "$la" | grep -q ' a.txt$' && fail ls_la.old "a.txt listed: $la"
echo "$la" | grep -q ' sym -> b.txt$' && ok ls_la.symlink || fail ls_la.symlink "no 'sym -> b.txt' in: $la"
check ls_la.count 5 "$(ls -A "$D" | wc -l)"

mark rm
run rm rm "$D/hard" "$D/sym" "$D/empty"
check rm.nlink 1 "$(stat -c %h "$D/b.txt" 2>&1)"
[ -e "$D/hard" ] || [ -L "$D/sym" ] && fail rm.gone "removed names still exist" || ok rm.gone
run rm.rest rm "$D/b.txt" "$D/big"
check rm.empty "" "$(ls -A "$D" 2>&1)"

mark rmdir
run rmdir rmdir "$D"
[ -e "$D" ] && fail rmdir.gone "$D still exists" || ok rmdir.gone

rm -rf "$T"
[ $rc -eq 0 ] && echo "all steps passed" || echo "some steps FAILED"
exit $rc
