// Runs a WASI program on @wasmer/wasi (wasmer's WASI implementation compiled
// to WebAssembly, wasm-bindgen glue; it runs under Node without a browser), as
// a third-party host for the probes (run.mjs --host wasmer_wasi). Its file
// system is its own in-memory MemFS, not the disk: the preopen /sandbox is an
// empty MemFS directory, as ROOT is empty when a probe program starts;
// `outside` (beside ROOT on Linux) does not exist for it.
//   node wasmer_wasi.mjs NODE_MODULES PROG.wasm [ARGS...]
// The exit status is the program's, or 70 when the host throws (its message
// is the last line on stderr). The host buffers stdout and stderr: they are
// written when the program ends.
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [modules, prog, ...args] = process.argv.slice(2);
const {init, WASI, MemFS} = await import(pathToFileURL(path.join(modules, '@wasmer/wasi/dist/Library.esm.js')).href);
await init();  // the host's own WebAssembly module, inlined in the package
const memfs = new MemFS();
memfs.createDir('/sandbox');  // a preopen must exist when the WASI state is made
const wasi = new WASI({args: [prog, ...args], env: {}, preopens: {'/sandbox': '/sandbox'}, fs: memfs});
const module = await WebAssembly.compile(fs.readFileSync(prog));
wasi.instantiate(module, {});
let status;
try {
  status = wasi.start();
} catch (e) {
  status = 70;
  // One line, the message's first (its JsValue(...) wrapper carries a stack
  // whose frames name this build's function offsets): run.mjs shows it.
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  process.on('exit', () => process.stderr.write(`host threw: ${text}\n`));
}
process.stdout.write(wasi.getStdoutString());
process.stderr.write(wasi.getStderrString());
process.exitCode = status;
