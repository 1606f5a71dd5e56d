#!/bin/sh
# p9ref decode must decode a real Linux v9fs capture with no error, one line per frame.
# usage: decode_capture_test.sh P9REF CAPTURE.xz EXPECTED_FRAMES
set -eu
p9ref=$1 capture=$2 expected=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
xz -dc "$capture" | "$p9ref" decode - > "$out"
lines=$(wc -l < "$out")
if [ "$lines" -ne "$expected" ]; then
  echo "FAIL: decoded $lines frames, expected $expected" >&2
  exit 1
fi
grep -q '^Tversion tag=NOTAG msize=131072 version="9P2000.L"$' "$out" || { echo "FAIL: first Tversion not printed as expected" >&2; exit 1; }
# Every request is answered by its R-message or Rlerror: counts must balance.
req=$(grep -c '^T' "$out"); rep=$(grep -c '^R' "$out")
[ "$req" -eq "$rep" ] || { echo "FAIL: $req requests but $rep replies" >&2; exit 1; }
echo "ok: $lines frames decoded"
# A corrupted copy must fail with the byte offset named.
bad=$(mktemp); trap 'rm -f "$out" "$bad"' EXIT
xz -dc "$capture" | head -c 100 > "$bad"
if "$p9ref" decode "$bad" > /dev/null 2> "$out.err"; then echo "FAIL: truncated stream accepted" >&2; exit 1; fi
grep -q 'truncated frame at byte 91: 9 of 20 bytes' "$out.err" || { echo "FAIL: error does not name the offset:"; cat "$out.err"; exit 1; } >&2
rm -f "$out.err"
echo "ok: truncated stream rejected with its offset"
