// Runs a WASI program on @bjorn3/browser_wasi_shim (a WASI host in plain
// JavaScript with an in-memory file system), as a third-party host for the
// probes (run.mjs --host browser_wasi_shim). Its file system is its own
// (fs_mem.js: File, Directory, PreopenDirectory), not the disk: the preopen
// /sandbox is an empty PreopenDirectory, as ROOT is empty when a probe
// program starts; `outside` (beside ROOT on Linux) does not exist for it.
//   node browser_wasi_shim.mjs NODE_MODULES PROG.wasm [ARGS...]
// The exit status is the program's, or 70 when the host throws (its message
// is the last line on stderr); stdout and stderr are passed through.
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [modules, prog, ...args] = process.argv.slice(2);
const shim = await import(pathToFileURL(path.join(modules, '@bjorn3/browser_wasi_shim/dist/index.js')).href);
const {WASI, OpenFile, File, ConsoleStdout, PreopenDirectory} = shim;
// Through process.stdout/stderr, which queue what the pipe cannot take yet:
// fs.writeSync(1, …) failed with EAGAIN in one run (a non-blocking pipe).
const out = (stream) => new ConsoleStdout((bytes) => stream.write(Buffer.from(bytes)));
const fds = [new OpenFile(new File([])), out(process.stdout), out(process.stderr), new PreopenDirectory('/sandbox', new Map())];
const wasi = new WASI([prog, ...args], [], fds);
const module = await WebAssembly.compile(fs.readFileSync(prog));
const instance = await WebAssembly.instantiate(module, {wasi_snapshot_preview1: wasi.wasiImport});
try {
  process.exitCode = wasi.start(instance);
} catch (e) {
  // The shim throws JavaScript values (strings too) out of a WASI call: the
  // program stops there. One line on stderr, for run.mjs.
  process.stderr.write(`host threw: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 70;
}
