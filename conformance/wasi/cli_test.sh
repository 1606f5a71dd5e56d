#!/bin/sh
# wasi.p9wasi_cli: `p9wasi run` passes argv, stdout, stderr and the exit
# status through (as `wasmtime run`), and refuses what it cannot do.
#   cli_test.sh P9WASI ECHO.wasm
set -u
p9wasi=$1 prog=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
bad=0
check() { # what, condition
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; bad=1; fi
}
"$p9wasi" run "$prog" 3 hello world >"$t/out" 2>"$t/err"
status=$?
check "exit status 3 comes back" '[ "$status" -eq 3 ]'
check "stdout passes through with argv" '[ "$(cat "$t/out")" = "argc=4 hello world" ]'
check "stderr passes through" '[ "$(cat "$t/err")" = "to stderr" ]'
"$p9wasi" run --store model --preopen /data "$prog" 0 >"$t/out" 2>"$t/err"
status=$?
check "--store model --preopen /data runs (status 0)" '[ "$status" -eq 0 ]'
mkdir -p "$t/tree/sub"
echo "first line" >"$t/tree/sub/f"
ln -s sub/f "$t/tree/link"
"$p9wasi" run --preopen /data --dir "$t/tree" "$prog" 0 @/data/sub/f @/data/link @/data/none >"$t/out" 2>"$t/err"
status=$?
check "--dir copies a host tree (files, symlinks) into the preopen" \
  '[ "$status" -eq 0 ] && [ "$(cat "$t/out")" = "argc=5 first line first line (/data/none: No such file or directory)" ]'
"$p9wasi" run --no-preopen "$prog" 0 @/sandbox/x >"$t/out" 2>"$t/err"
status=$?
check "--no-preopen: no preopen, so no path resolves" \
  '[ "$status" -eq 0 ] && grep -q "^argc=3 (/sandbox/x: " "$t/out" && ! grep -q "No such file" "$t/out"'
"$p9wasi" run --dir "$t/missing" "$prog" 0 >"$t/out" 2>"$t/err"
status=$?
check "--dir of a missing directory is a usage error (status 2)" '[ "$status" -eq 2 ] && grep -q "not a directory" "$t/err"'
"$p9wasi" run --store posix:/tmp "$prog" 0 >"$t/out" 2>"$t/err"
status=$?
check "--store posix:DIR is refused with its reason (status 2)" \
  '[ "$status" -eq 2 ] && grep -q "Emscripten build" "$t/err"'
"$p9wasi" run "$t/missing.wasm" >"$t/out" 2>"$t/err"
status=$?
check "a missing program is a usage error (status 2)" '[ "$status" -eq 2 ]'
"$p9wasi" run --trace "$t/trace" "$prog" 5 x >"$t/out" 2>"$t/err"
status=$?
check "--trace: the run is the same (status 5)" '[ "$status" -eq 5 ]'
check "--trace: args_get, the write of stdout and proc_exit are recorded" \
  'grep -q "^[0-9]* args_get .* = ESUCCESS$" "$t/trace" && grep -q "^[0-9]* fd_write 1 x:[0-9a-f]* = ESUCCESS n=[0-9]*$" "$t/trace" &&
   grep -q "^[0-9]* proc_exit 5 = exit 5$" "$t/trace"'
paths=$(dirname "$prog")/paths.wasm
"$p9wasi" run --trace "$t/trace" "$paths" /sandbox symlink_create >"$t/out" 2>"$t/err"
check "--trace: the header names the trace format and the host" \
  'head -2 "$t/trace" | tr "\n" "|" | grep -q "^# p9wasi trace 1|# host: p9wasi (model)|$"'
check "--trace: paths show as strings" \
  'grep -q "path_symlink \"target\" 3 \"symlink_create/l\" = ESUCCESS" "$t/trace"'
exit $bad
