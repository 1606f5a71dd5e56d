#!/bin/sh
# The layers of reference/ (README "Map of the folders"): the file-system seam
# (reference/fs/) and the backends know nothing of 9P, so a second front end
# (WASI, reference/wasi/) or a new backend (OPFS) builds on them without the 9P server. This
# check fails when a file there includes a 9P header; it prints the include
# graph of reference/fs/ either way.
set -eu
cd "$(dirname "$0")/.."
status=0
for dir in reference/fs reference/fs/contract reference/model reference/posix reference/wasi; do
  for f in "$dir"/*.h "$dir"/*.cc; do
    [ -e "$f" ] || continue
    bad=$(grep -nE '#include "(spec/protocol\.h|reference/(codec|server|transport)/|conformance/)' "$f" || true)
    if [ -n "$bad" ]; then
      echo "FAIL: $f includes 9P code (the seam must stay protocol-free):"
      echo "$bad" | sed 's/^/    /'
      status=1
    fi
  done
done
echo "include graph of reference/fs/ (project headers only):"
for f in reference/fs/*.h reference/fs/*.cc; do
  deps=$(sed -n 's/^#include "\(.*\)"/\1/p' "$f" | tr '\n' ' ')
  echo "  $f -> ${deps:-(none)}"
done
[ "$status" -eq 0 ] && echo "ok: reference/fs (and its contract suite), model, posix and the WASI front end include no 9P header"
exit "$status"
