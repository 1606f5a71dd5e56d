// Runs a WASI program on node's own host (node:wasi, libuv's uvwasi) with one
// preopen, as a third-party host for the probes (run.mjs --host node:wasi).
//   node node_wasi.mjs PROG.wasm HOSTDIR [ARGS...]
// HOSTDIR is preopened as /sandbox; argv[0] is PROG.wasm; the exit status is
// the program's.
import fs from 'node:fs';
import {WASI} from 'node:wasi';

process.removeAllListeners('warning');  // node:wasi is "experimental": said once, on stderr
const [prog, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({version: 'preview1', args: [prog, ...args], env: {}, preopens: {'/sandbox': dir},
                       returnOnExit: true});
const module = await WebAssembly.compile(fs.readFileSync(prog));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
