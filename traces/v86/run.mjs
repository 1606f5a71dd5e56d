// run.mjs: boots the v86 guest under Node, mounts a 9P2000.L server through
// v86's virtio-9p device (`filesystem.handle9p`, mount tag host9p), runs one
// workload script, prints its output and exits with its status.
//
//   node traces/v86/run.mjs --cache DIR --workload FILE [--workload FILE...]
//        [--server model|tcp:HOST:PORT] [--msize N] [--mount-opts OPTS]
//        [--timeout SECS] [--record FILE] [--server-id TEXT] [--log FILE]
//        [--start 'CMD ... {port} ... {export}']
//        [--web DIR] [--v86 DIR]
//
// --workload  one workload, or several run in one boot (a batch: each in its
//             own directory, a PASS/FAIL line each, rc = the number failed;
//             common.mjs, planRun)
// --cache     what prepare.sh made: vmlinuz, initrd.cpio.gz, bios.bin, guest.txt
// --server    model (default): the OPFS server's own wasm module
//             (build/opfs/web/p9opfs-wasm.js, --web) in this process, its store
//             on in-memory stand-ins for the sync access handles;
//             tcp:HOST:PORT: every frame forwarded to a 9P server over TCP
//             (size[4]-delimited, one connection), e.g. p9ref or diod
// --msize     the msize mount option (default: the kernel's, 131072 offered)
// --mount-opts  appended to trans=virtio,version=9p2000.L,uname=root[,cache=none]
//             (cache=none unless a cache= is given here or in the workload's
//             `# mount: OPTS` line, which is appended too, as traces/record.sh does)
// --start     starts that server first (split on spaces; {port}: a free
//             loopback port, {export}: a fresh temporary directory), connects
//             to tcp:127.0.0.1:{port} (retrying until it listens, 15 s), and
//             stops it (SIGTERM to its PID) at the end; implies --server tcp:
// --record    every frame, in traces/FORMAT.md's format (no printer comments)
// --log       the kernel console and the workload port, saved
// --v86       the npm package folder (default traces/v86/node_modules/v86)
//
// Exit: the workload's rc; 124 timeout; 125 the guest did not run the workload
// (mount/setup failed, server gone); 77 a prerequisite is missing (the reason
// is printed); 2 usage.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import {spawn} from 'node:child_process';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {CMDLINE, MEMORY, parsePort, printBatchSummary, planRun, readGuest, writeTrace} from './common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const say = (s) => process.stderr.write(`run-v86: ${s}\n`);
const SKIP = 77;

function usage(msg) {
  if (msg) say(msg);
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  process.stderr.write(text.slice(4, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(2);
}

const opt = {server: 'model', timeout: 300, mountOpts: '', web: process.env.P9_OPFS_WEB || path.join(root, 'build/opfs/web'),
             v86: process.env.P9_V86_DIR || path.join(here, 'node_modules/v86')};
{
  const a = process.argv.slice(2);
  const names = {'--cache': 'cache', '--workload': 'workload', '--server': 'server', '--msize': 'msize',
                 '--mount-opts': 'mountOpts', '--timeout': 'timeout', '--record': 'record', '--log': 'log',
                 '--web': 'web', '--v86': 'v86', '--server-id': 'serverId', '--start': 'start'};
  opt.workloads = [];
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] === '-h' || a[i] === '--help') usage();
    const k = names[a[i]];
    if (!k || a[i + 1] === undefined) usage(`bad argument: ${a[i]}`);
    if (k === 'workload') opt.workloads.push(a[i + 1]);
    else opt[k] = a[i + 1];
  }
  if (!opt.cache || !opt.workloads.length) usage('--cache and --workload are required');
  if (opt.record && opt.workloads.length > 1) usage('--record takes one --workload');
  if (!/^\d+$/.test(String(opt.timeout))) usage('bad --timeout');
  if (opt.msize !== undefined && !/^\d+$/.test(opt.msize)) usage('bad --msize');
  if (opt.start) opt.server = 'tcp:127.0.0.1:0';
  if (opt.server !== 'model' && !/^tcp:[^:]+:\d+$/.test(opt.server)) usage(`bad --server: ${opt.server}`);
  for (const w of opt.workloads) if (!fs.existsSync(w)) usage(`workload not found: ${w}`);
}

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}
const guest = readGuest(opt.cache);
if (guest.missing) skip(guest.missing);
const libv86 = path.join(opt.v86, 'build/libv86.mjs');
if (!fs.existsSync(libv86)) skip(`${libv86} missing: run traces/v86/setup.sh`);
if (opt.server === 'model' && !fs.existsSync(path.join(opt.web, 'p9opfs-wasm.js')))
  skip(`${opt.web}/p9opfs-wasm.js missing: build target p9opfs (needs em++)`);

const v86Version = JSON.parse(fs.readFileSync(path.join(opt.v86, 'package.json'), 'utf8')).version;

// --- mount options and the per-run initrd (common.mjs) ---------------------------
let plan;
try { plan = planRun(opt.cache, opt.workloads, opt.mountOpts, opt.msize); } catch (e) { usage(e.message); }
const {mopts, workloadText, initrd} = plan;
const toAB = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

// --- recording (traces/FORMAT.md) -----------------------------------------------------
const frames = [];
const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
function record(dir, frame) {
  if (opt.record) frames.push({dir, t: Number(process.hrtime.bigint()) / 1e9, hex: hex(frame)});
}
function writeRecord(rc) {
  if (!opt.record) return;
  writeTrace(opt.record, {workload: opt.workloads[0], workloadText, rc, kernel: guest.kernel, mopts, server: serverId,
                          transport: `virtio-9p, v86 ${v86Version} filesystem.handle9p, under Node ${process.version}`,
                          frames, startedAt});
  say(`wrote ${opt.record}: ${frames.length} frames`);
}

// --- the 9P server ------------------------------------------------------------------------
const frameSize = (u8) => (u8[0] | (u8[1] << 8) | (u8[2] << 16) | (u8[3] << 24)) >>> 0;
let serverId = opt.serverId;
let handle9p;
let serverFailed = null;
let started = null;    // --start: the server we started (our child)
let exportDir = null;  // --start: its {export}
function stopStarted() {
  if (started && !started.exited) started.kill('SIGTERM');  // our own child, by its PID
  if (exportDir) fs.rmSync(exportDir, {recursive: true, force: true});
  exportDir = null;
}
let requests = 0;
const startedAt = new Date();

if (opt.server === 'model') {
  // A FileSystemSyncAccessHandle stand-in (WHATWG File System Standard:
  // read/write {at}, truncate, getSize, flush), growing in doubling steps.
  class MemHandle {
    constructor() { this.buf = new Uint8Array(0); this.size = 0; }
    reserve(n) {
      if (n <= this.buf.length) return;
      const b = new Uint8Array(Math.max(n, this.buf.length * 2, 4096));
      b.set(this.buf.subarray(0, this.size));
      this.buf = b;
    }
    read(dst, {at = 0} = {}) {
      const n = Math.max(0, Math.min(dst.length, this.size - at));
      dst.set(this.buf.subarray(at, at + n));
      return n;
    }
    write(src, {at = 0} = {}) {
      this.reserve(at + src.length);
      if (at > this.size) this.buf.fill(0, this.size, at);
      this.buf.set(src, at);
      this.size = Math.max(this.size, at + src.length);
      return src.length;
    }
    truncate(n) {
      this.reserve(n);
      if (n > this.size) this.buf.fill(0, this.size, n);
      this.size = n;
    }
    getSize() { return this.size; }
    flush() {}
  }
  const require = createRequire(import.meta.url);
  const P9Opfs = require(path.join(path.resolve(opt.web), 'p9opfs-wasm.js'));
  const handles = [new MemHandle(), new MemHandle(), new MemHandle()];  // journal, checkpoint.0, checkpoint.1
  const M = await P9Opfs({p9oHandles: handles, wasmBinary: fs.readFileSync(path.join(opt.web, 'p9opfs-wasm.wasm'))});
  if (M._p9o_open_store() !== 0) throw new Error(`p9o_open_store: ${M.UTF8ToString(M._p9o_message())}`);
  // The data-file pool, topped up between requests as opfs/web/store.js does,
  // and released data files dropped (p9o_pool_retired).
  const topUp = () => {
    for (let s = M._p9o_pool_retired(); s >= 0; s = M._p9o_pool_retired()) handles[s] = undefined;
    while (M._p9o_pool_wanted() > 0) {
      const s = M._p9o_pool_next_slot();
      handles[s] = new MemHandle();
      M._p9o_pool_add(s);
    }
  };
  topUp();
  const session = M._p9o_session_open();
  serverId ??= 'opfs (p9opfs wasm module under Node, store on memory stand-ins for OPFS)';
  handle9p = (reqbuf, reply) => {
    const req = reqbuf.subarray(0, frameSize(reqbuf));
    record('C', req);
    ++requests;
    M.HEAPU8.set(req, M._p9o_buffer(req.length));
    const n = M._p9o_handle(session, req.length);
    if (n < 0) {
      serverFailed = `p9o_handle: ${n}`;
      return;
    }
    const out = M.HEAPU8.slice(M._p9o_reply(), M._p9o_reply() + n);
    M._p9o_idle();
    topUp();
    record('S', out);
    reply(out);
  };
} else {
  let [, host, port] = opt.server.match(/^tcp:([^:]+):(\d+)$/);
  if (opt.start) {
    // A free port: bind port 0, read it, close (a race with other programs is possible, and then shows as a failure).
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    port = String(probe.address().port);
    await new Promise((r) => probe.close(r));
    if (opt.start.includes('{export}')) exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p9v86-export.'));
    const argv = opt.start.replaceAll('{port}', port).replaceAll('{export}', exportDir || '').split(/\s+/).filter(Boolean);
    say(`starting ${argv.join(' ')}`);
    started = spawn(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe']});
    started.log = '';
    const keep = (d) => { started.log = (started.log + d).slice(-8000); };
    started.stdout.on('data', keep);
    started.stderr.on('data', keep);
    started.on('exit', (code, sig) => { started.exited = true; serverFailed ??= `the server exited (${sig || code}): ${started.log.trim().slice(-500)}`; });
    started.on('error', (e) => { started.exited = true; serverFailed ??= `cannot start ${argv[0]}: ${e.message}`; });
    opt.server = `tcp:${host}:${port}`;
    serverId ??= argv.map((a) => a.replace(exportDir || '\0', 'EXPORT')).join(' ').replace(/^\S*\//, '');
  }
  serverId ??= opt.server;
  // Connect, retrying while nothing listens yet (a started server may still be starting).
  const deadline = Date.now() + 15000;
  let sock;
  for (;;) {
    sock = net.connect({host, port: Number(port)});
    const err = await new Promise((r) => { sock.once('connect', () => r(null)); sock.once('error', r); });
    if (!err) break;
    sock.destroy();
    if (err.code !== 'ECONNREFUSED' || Date.now() > deadline || serverFailed) {
      say(`cannot connect to ${host}:${port}: ${serverFailed || err.message}`);
      stopStarted();
      process.exit(125);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.setNoDelay(true);
  let replyTo = null;
  let acc = Buffer.alloc(0);
  sock.on('data', (d) => {
    acc = acc.length ? Buffer.concat([acc, d]) : d;
    while (acc.length >= 4) {
      const n = acc.readUInt32LE(0);
      if (n < 7) { serverFailed = `server sent a frame of size ${n}`; sock.destroy(); return; }
      if (acc.length < n) break;
      const f = new Uint8Array(acc.subarray(0, n));  // a copy
      acc = acc.subarray(n);
      record('S', f);
      replyTo(f);
    }
  });
  sock.on('error', (e) => { serverFailed ??= `tcp ${host}:${port}: ${e.message}`; });
  sock.on('close', () => { serverFailed ??= `tcp ${host}:${port}: connection closed by the server`; });
  handle9p = (reqbuf, reply) => {
    replyTo = reply;
    const req = reqbuf.slice(0, frameSize(reqbuf));
    record('C', req);
    ++requests;
    sock.write(req);
  };
}

// --- the guest ----------------------------------------------------------------------------
const {V86} = await import(pathToFileURL(libv86).href);
const consoleBytes = [];
let portText = '';
let emulator;
let finished = false;
const tStart = Date.now();
let tMount = null;

const emu = new V86({
  wasm_path: path.join(opt.v86, 'build/v86.wasm'),
  bios: {buffer: toAB(fs.readFileSync(path.join(opt.cache, 'bios.bin')))},
  bzimage: {buffer: toAB(fs.readFileSync(path.join(opt.cache, 'vmlinuz')))},
  initrd: {buffer: toAB(initrd)},
  // console on the first UART; init.sh writes the workload to ttyS1 (uart1).
  cmdline: CMDLINE,
  memory_size: MEMORY,
  vga_memory_size: 2 * 1024 * 1024,
  acpi: false,  // with ACPI this kernel does not bind the virtio-9p device ("no channels available"; checked with 0.5.462)
  uart1: true,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
  filesystem: {handle9p: (reqbuf, reply) => handle9p(reqbuf, reply)},
});
emulator = emu;
emu.add_listener('serial0-output-byte', (b) => consoleBytes.push(b));
emu.add_listener('serial1-output-byte', (b) => {
  portText += String.fromCharCode(b);
  if (b === 10) check();
});

function consoleText() { return Buffer.from(consoleBytes).toString('latin1').replace(/\r/g, ''); }
function saveLog() {
  if (!opt.log) return;
  fs.writeFileSync(opt.log, `=== console (ttyS0) ===\n${consoleText()}\n=== workload port (ttyS1) ===\n${portText.replace(/\r/g, '')}\n`);
}
function showConsole() {
  say('last console lines:');
  for (const l of consoleText().trimEnd().split('\n').slice(-25)) process.stderr.write(`  | ${l}\n`);
}
async function finish(code) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  clearInterval(watch);
  saveLog();
  try { await emulator.destroy(); } catch { /* already stopped */ }
  if (started && !started.exited) {
    started.removeAllListeners('exit');
    const gone = new Promise((r) => started.once('exit', r));
    stopStarted();
    const t = setTimeout(() => started.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
  stopStarted();
  process.exit(code);
}

function check() {
  if (tMount === null && portText.includes('==P9-WORKLOAD-BEGIN==')) tMount = Date.now();
  const r = parsePort(portText);
  if (!r) return;
  if (r.kind === 'failed') {
    say(`guest could not run the workload: ${r.line}`);
    showConsole();
    return finish(125);
  }
  process.stdout.write(r.body);
  r.rc = printBatchSummary(r, plan);
  if (r.umount !== '0') say(`warning: unmount did not succeed (rc=${r.umount})`);
  const secs = (ms) => (ms / 1000).toFixed(1);
  say(`guest finished in ${secs(Date.now() - tStart)} s (boot to mount ${secs(tMount - tStart)} s, workload ` +
      `${secs(Date.now() - tMount)} s, ${requests} 9P requests); workload rc=${r.rc}`);
  writeRecord(r.rc);
  return finish(r.rc);
}

const timer = setTimeout(() => {
  say(`timeout after ${opt.timeout} s (${requests} 9P requests so far)`);
  showConsole();
  writeRecord('timeout');
  finish(124);
}, Number(opt.timeout) * 1000);
const watch = setInterval(() => {
  if (serverFailed) {
    say(`the 9P server failed: ${serverFailed}`);
    showConsole();
    writeRecord('server-failed');
    finish(125);
  }
}, 200);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => finish(sig === 'SIGTERM' ? 143 : 130));
say(`booting ${guest.kernel} in v86 ${v86Version}; server ${serverId}; ` +
    `mount -t 9p -o ${mopts} host9p; workload ${plan.name}`);
