#!/bin/sh
# Fails when a file of the tree cites the team's internal notes file (the
# README of the shared notes folder), which users of the repository do not
# have: comments and docs cite primary sources (a man page, intro(5), a
# Linux/diod/QEMU file and function, a spec section) instead.
#
# usage: check-citations.sh DIR [EXEMPT-PATH...]
#   DIR          the tree to scan (.git and build* folders are skipped)
#   EXEMPT-PATH  a path relative to DIR still allowed to cite it (printed; for a
#                file another branch is fixing)
# Exit 0: none found; 1: the files found are listed.
#        check-citations.sh --self-test
#   plants a citation in a temporary tree and checks that it is found (and that
#   an exempt path is not reported).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [EXEMPT-PATH...] | --self-test" >&2; exit 2; }
# Spelled as a pattern so that this script does not match itself.
pattern='shared/READM[E]'
if [ "$1" = --self-test ]; then
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  mkdir -p "$t/src" "$t/build/x" "$t/.git"
  echo "// see ../shared/READ""ME.md" > "$t/src/a.cc"
  cp "$t/src/a.cc" "$t/src/b.md"
  cp "$t/src/a.cc" "$t/build/x/skipped.cc"
  cp "$t/src/a.cc" "$t/.git/skipped"
  out=$(sh "$0" "$t" src/b.md) && { echo "FAIL: a planted citation was not found"; exit 1; }
  echo "$out" | grep -q "src/a.cc:1:" || { echo "FAIL: src/a.cc not reported:"; echo "$out"; exit 1; }
  echo "$out" | grep -q "exempt (being fixed elsewhere): src/b.md" || { echo "FAIL: exemption not honoured:"; echo "$out"; exit 1; }
  echo "$out" | grep -q "skipped" && { echo "FAIL: .git or build* was scanned:"; echo "$out"; exit 1; }
  rm "$t/src/a.cc"
  sh "$0" "$t" src/b.md >/dev/null || { echo "FAIL: a clean tree (but for an exempt file) was refused"; exit 1; }
  echo "self-test passed"
  exit 0
fi
dir=$1
shift
found=$(cd "$dir" && grep -rIl --exclude-dir=.git --exclude-dir='build*' -e "$pattern" . | sed 's|^\./||' | sort) || true
bad=""
for f in $found; do
  exempt=no
  for e in "$@"; do [ "$f" = "$e" ] && exempt=yes; done
  if [ $exempt = yes ]; then
    echo "exempt (being fixed elsewhere): $f"
  else
    bad="$bad $f"
  fi
done
if [ -n "$bad" ]; then
  echo "cites the team's internal notes instead of a primary source:"
  for f in $bad; do grep -n -e "$pattern" "$dir/$f" | sed "s|^|  $f:|"; done
  exit 1
fi
echo "no file cites the internal notes"
