#!/bin/sh
# wasi.replay: WASI call traces (reference/wasi/README.md, "Traces") replayed
# natively by p9wasi-replay against the model.
#   replay_test.sh BIN PROBES [OPFS_WEB CHROMIUM]
# BIN holds p9wasi, p9wasi-replay and trace.mjs; PROBES the probe programs;
# with OPFS_WEB (build/opfs/web) and CHROMIUM, a trace is also recorded in the
# browser: our Host over the OPFS store in the server's worker.
#  - each probe program's trace, recorded on p9wasi (the model in node),
#    replays with every answer as recorded;
#  - a trace with one answer changed names that call (exit 1);
#  - a line that does not parse is named (exit 2);
#  - node:wasi's trace of the paths probes names the first call where
#    node:wasi and the model part ways (exit 1), a call in a probe that
#    deviations.md lists for node:wasi;
#  - (with Chromium) the paths probes' trace recorded in the browser on the
#    OPFS store replays natively with every answer as recorded.
set -u
bin=$1 probes=$2 web=${3:-} chromium=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
bad=0
check() { # what, condition
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; bad=1; fi
}
for p in files paths dirs; do
  "$bin/p9wasi" run --trace "$t/$p.trace" "$probes/$p.wasm" /sandbox >/dev/null 2>&1
  "$bin/p9wasi-replay" "$t/$p.trace" >"$t/out" 2>&1
  status=$?
  sed 's/^/     /' "$t/out"
  check "$p: recorded on p9wasi, replayed natively, every answer as recorded" \
    '[ "$status" -eq 0 ] && grep -q "all answered as recorded" "$t/out"'
done
# One recorded answer changed: open_missing's path_open said ENOENT.
sed 's/^\([0-9]*\) path_open 3 1 "open_missing\/nx" \(.*\) = ENOENT$/\1 path_open 3 1 "open_missing\/nx" \2 = EEXIST/' \
  "$t/files.trace" >"$t/changed.trace"
"$bin/p9wasi-replay" "$t/changed.trace" >"$t/out" 2>&1
status=$?
sed 's/^/     /' "$t/out"
check "a changed answer is named: its call, recorded EEXIST, replayed ENOENT (exit 1)" \
  '[ "$status" -eq 1 ] && grep -q "errno differs" "$t/out" && grep -q "recorded: EEXIST" "$t/out" &&
   grep -q "replayed: ENOENT" "$t/out" && grep -q "open_missing/nx" "$t/out"'
head -12 "$t/files.trace" >"$t/broken.trace"
echo '99 path_open 3 1 "unterminated = ESUCCESS fd=4' >>"$t/broken.trace"
"$bin/p9wasi-replay" "$t/broken.trace" >"$t/out" 2>&1
status=$?
sed 's/^/     /' "$t/out"
check "a line that does not parse is named with its number (exit 2)" \
  '[ "$status" -eq 2 ] && grep -q "line 13: a JSON string does not end" "$t/out"'
head -12 "$t/files.trace" >"$t/badhex.trace"
echo '99 fd_write 4 x:zz = ESUCCESS n=1' >>"$t/badhex.trace"
"$bin/p9wasi-replay" "$t/badhex.trace" >"$t/out" 2>&1
status=$?
check "bytes that are not hex are named with the line (exit 2)" \
  '[ "$status" -eq 2 ] && grep -q "line 13 (fd_write): data is not x:HEX" "$t/out"'
# node:wasi, traced by the same recorder.
mkdir "$t/box"
P9WASI_TRACE="$t/node.trace" P9WASI_TRACE_JS="$bin/trace.mjs" node "$here/node_wasi.mjs" "$probes/paths.wasm" "$t/box" \
  /sandbox >/dev/null 2>&1
"$bin/p9wasi-replay" --ignore base,inheriting,flags "$t/node.trace" >"$t/out" 2>&1
status=$?
sed 's/^/     /' "$t/out"
probe=$(sed -n 's/^  line: [0-9]* [a-z_]* [0-9]* [0-9 ]*"\([a-z_]*\)\/.*/\1/p' "$t/out" | head -1)
check "node:wasi's trace names a first difference (exit 1) in probe '$probe', which deviations.md lists for node:wasi" \
  '[ "$status" -eq 1 ] && [ -n "$probe" ] && grep -q "| node:wasi | $probe |" "$here/deviations.md"'
if [ -n "$web" ] && [ -x "$chromium" ]; then
  node "$here/../../opfs/host/serve.mjs" --profile "$t/profile" --web "$web" --chromium "$chromium" \
    --wasi-trace "$t/opfs.trace" --wasi "$probes/paths.wasm /sandbox" >"$t/opfs.out" 2>&1
  status=$?
  [ "$status" -eq 0 ] || tail -5 "$t/opfs.out" | sed 's/^/     /'
  "$bin/p9wasi-replay" "$t/opfs.trace" >"$t/out" 2>&1
  rstatus=$?
  sed 's/^/     /' "$t/out"
  check "paths: recorded in Chromium on the OPFS store, replayed natively, every answer as recorded" \
    '[ "$status" -eq 0 ] && [ "$rstatus" -eq 0 ] && grep -q "^# host: p9wasi (OPFS store, Chromium worker)" "$t/opfs.trace" &&
     grep -q "all answered as recorded" "$t/out"'
else
  echo "skip the browser trace: no OPFS build or Chromium given"
fi
exit $bad
