// Runs a WASI program on node's own host (node:wasi, libuv's uvwasi) with one
// preopen, as a third-party host for the probes (run.mjs --host node:wasi).
//   node node_wasi.mjs PROG.wasm HOSTDIR [ARGS...]
// HOSTDIR is preopened as /sandbox; argv[0] is PROG.wasm; the exit status is
// the program's. With P9WASI_TRACE=FILE (and P9WASI_TRACE_JS, the path of
// p9wasi's trace.mjs) every WASI call is recorded in the trace format of
// reference/wasi/README.md, for p9wasi-replay.
import fs from 'node:fs';
import {WASI} from 'node:wasi';

process.removeAllListeners('warning');  // node:wasi is "experimental": said once, on stderr
const [prog, dir, ...args] = process.argv.slice(2);
// P9WASI_PREOPEN: the name the program sees (default /sandbox; "none": no
// preopen); P9WASI_ENV: its environment as JSON (default none).
const preopen = process.env.P9WASI_PREOPEN || '/sandbox';
const env = process.env.P9WASI_ENV ? JSON.parse(process.env.P9WASI_ENV) : {};
const wasi = new WASI({version: 'preview1', args: [prog, ...args], env, preopens: preopen === 'none' ? {} : {[preopen]: dir},
                       returnOnExit: true});
const imports = wasi.getImportObject();
let instance = null;
if (process.env.P9WASI_TRACE) {
  const {traced, traceHeader} = await import(process.env.P9WASI_TRACE_JS);
  const out = fs.openSync(process.env.P9WASI_TRACE, 'w');
  const write = (line) => fs.writeSync(out, line + '\n');
  traceHeader({host: `node:wasi (node ${process.version})`, preopen, program: [prog, ...args].join(' ')})
      .forEach(write);
  imports.wasi_snapshot_preview1 = traced({...imports.wasi_snapshot_preview1}, write, () => instance.exports.memory);
}
const module = await WebAssembly.compile(fs.readFileSync(prog));
instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
