#!/usr/bin/env node
// The host side of the OPFS server: serves the page (build/opfs/web) over
// HTTP on 127.0.0.1, starts headless Chromium on it, and bridges 9P over TCP
// to the page's server:
//
//   node opfs/host/serve.mjs --listen 127.0.0.1:5640 --profile DIR [--store NAME]
//        [--web build/opfs/web] [--quota BYTES] [--via worker|page] [--chromium PATH] [--timeout S]
//        [--self-check] [--verbose] [--bench FILE]
//
// --bench FILE runs the benchmarks (opfs/bench/bench.js) in the worker instead
// of serving, writes their results to FILE as JSON and exits; the options come
// from P9_BENCH_OPTIONS (JSON, e.g. '{"seqMiB":16}').
//
// --wasi 'PROG.wasm [ARG...]' runs a WASI preview1 program in the server's
// worker on the store instead of serving (p9opfs.js runWasi: our Host,
// reference/wasi/, over the store), its preopen /sandbox the store's
// directory --wasi-dir NAME (default "wasi", made when absent; argv[0] is
// PROG.wasm as given). Its stdout and stderr are passed through. Given
// several times, the programs run in order on the same store; `--wasi reload`
// between two makes the page let the store go (server.close()) and reload
// itself, and the next program runs in the reloaded page. The exit status is
// the first non-zero status of a program (134 when one traps), else 0; 70
// when the store's invariants do not hold after a program. --listen is then
// not needed. --shim DIR (browser_wasi_shim's dist/) serves it as shim/ and
// runs each --wasi program through its WASI class with our preopen
// (opfs/web/p9opfs-wasi.mjs) instead. --wasi-trace FILE appends each
// program's WASI call trace to FILE (reference/wasi/README.md "Traces"; not
// with --shim), for build/bin/p9wasi-replay. --wasi-load HOSTDIR copies a
// host tree into the preopen before each program (files, directories,
// symlinks); --wasi-preopen NAME names the preopen (`none`: no preopen);
// --wasi-env JSON is the programs' environment (conformance/wasi/testsuite.mjs).
//
// Each TCP connection accepted on --listen becomes one 9P session in the page:
// the bridge asks the page (over its control WebSocket) to open a WebSocket
// back for it (from the server's worker; with --via page, from the page's
// thread through serveWebSocket), and forwards whole 9P frames, one per WebSocket message, both
// ways (9P frames on TCP are delimited by their size[4] field, little-endian,
// intro(5)). Prints "ready" on stdout once the store is open and --listen
// accepts; prints the page's error and exits 1 when the store cannot be
// served (e.g. "store in use by another context"). SIGTERM/SIGINT first ask
// the page to let the store go (server.close(): everything durable, files and
// lock released; at most 5 s), then stop Chromium (the process started here,
// by its PID) and exit.
//
// --profile DIR is Chromium's --user-data-dir: the OPFS data lives there. The
// page's origin (http://127.0.0.1:PORT, which OPFS storage is keyed by) is
// kept in DIR/p9opfs-origin-port so that a later run over the same profile
// sees the same store. --quota BYTES caps the origin's storage through the
// DevTools protocol (Storage.overrideQuotaForOrigin) so that ENOSPC can be tested.
// --self-check: the page also starts a second server on the same store, which
// must be refused, tries its API once and the wasm side's file calls on a
// scratch OPFS file (with --quota, a write past it must give ENOSPC): lines
// "check lock|api|files|enospc: ok ..." (or FAILED) on stdout.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {acceptWebSocket} from './websocket.mjs';
import {SERVER_FILES, missingWebFile} from './web_files.mjs';
import {treeEntries} from '../../reference/wasi/node/tree.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// The server's largest msize before Tversion (reference/server/session.h,
// Options::max_msize: 1 MiB payload + IOHDRSZ 24). The page checks each
// session's own msize exactly; this bound only refuses absurd sizes at once.
const kMaxMsize = (1 << 20) + 24;

function usage(text) {
  if (text) process.stderr.write(`serve.mjs: ${text}\n`);
  process.stderr.write('usage: node opfs/host/serve.mjs --listen HOST:PORT --profile DIR [--store NAME] ' +
                       '[--web DIR] [--quota BYTES] [--via worker|page] [--chromium PATH] [--timeout SECONDS] [--self-check] ' +
                       '[--verbose]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const a = {store: 'default', web: path.resolve(here, '../../build/opfs/web'), chromium: '/usr/lib/chromium/chromium',
             timeout: 60, verbose: false, quota: 0, via: 'worker', wasi: [], wasiDir: 'wasi'};
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    const v = () => (i + 1 < argv.length ? argv[++i] : usage(`${k} needs a value`));
    if (k === '--listen') a.listen = v();
    else if (k === '--profile') a.profile = v();
    else if (k === '--store') a.store = v();
    else if (k === '--web') a.web = v();
    else if (k === '--chromium') a.chromium = v();
    else if (k === '--timeout') a.timeout = Number(v());
    else if (k === '--quota') a.quota = Number(v());
    else if (k === '--via') a.via = v();
    else if (k === '--self-check') a.selfCheck = true;
    else if (k === '--verbose') a.verbose = true;
    else if (k === '--bench') a.bench = v();
    else if (k === '--wasi') a.wasi.push(v());
    else if (k === '--wasi-dir') a.wasiDir = v();
    else if (k === '--wasi-trace') a.wasiTrace = v();
    else if (k === '--wasi-load') a.wasiLoad = v();
    else if (k === '--wasi-preopen') a.wasiPreopen = v();
    else if (k === '--wasi-env') a.wasiEnv = JSON.parse(v());
    else if (k === '--shim') a.shim = v();
    else usage(`unknown argument ${k}`);
  }
  if (a.wasi.length && !a.listen) a.listen = '127.0.0.1:0';
  if (!a.listen || !a.profile) usage('--listen and --profile are required');
  const m = /^(.*):(\d+)$/.exec(a.listen);
  if (!m) usage('--listen takes HOST:PORT');
  a.host = m[1];
  a.port = Number(m[2]);
  if (!/^[A-Za-z0-9._-]+$/.test(a.store)) usage('--store: letters, digits, ".", "_", "-"');
  if (!(a.quota >= 0)) usage('--quota takes a number of bytes');
  if (a.via !== 'worker' && a.via !== 'page') usage('--via takes worker or page');
  return a;
}

const args = parseArgs(process.argv.slice(2));
function benchOptions() {
  try {
    return JSON.parse(process.env.P9_BENCH_OPTIONS || '{}');
  } catch (e) {
    fatal(`P9_BENCH_OPTIONS is not JSON: ${e.message}`);
  }
}
const log = (text) => process.stderr.write(`serve.mjs: ${text}\n`);
const debug = (text) => { if (args.verbose) log(text); };

{
  const missing = missingWebFile(args.web, ['index.html'].concat(SERVER_FILES));
  if (missing) {
    log(`${missing} is missing: build the OPFS module first (cmake --build build --target p9opfs; ` +
        'it needs em++: apt-get install emscripten)');
    process.exit(2);
  }
}
if (!fs.existsSync(args.chromium)) {
  log(`${args.chromium} is missing (apt-get install chromium)`);
  process.exit(2);
}
fs.mkdirSync(args.profile, {recursive: true});

let chromium = null;
let stopping = false;
const token = randomBytes(12).toString('hex');

// ---- HTTP: the page's files, and the WebSocket endpoints ----
const types = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
               '.wasm': 'application/wasm', '.ts': 'text/plain'};
const httpServer = http.createServer((req, res) => {
  let name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1)) || 'index.html';
  let dir = args.web;
  if (args.shim && name.startsWith('shim/')) {  // --shim: browser_wasi_shim's dist/
    name = name.slice(5);
    dir = args.shim;
  }
  const file = path.join(dir, name);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !fs.existsSync(file)) {
    res.writeHead(404).end('not found\n');
    return;
  }
  res.writeHead(200, {'Content-Type': types[path.extname(name)] || 'application/octet-stream',
                      'Cache-Control': 'no-store'});
  fs.createReadStream(file).pipe(res);
});

let control = null;  // the page's control WebSocket
const conns = new Map();  // TCP connection id -> Conn
let nextConn = 1;

httpServer.on('upgrade', (req, socket, head) => {
  const p = new URL(req.url, 'http://x').pathname;
  const parts = p.split('/').filter(Boolean);  // ['bridge', token] or ['session', token, id]
  if (parts[1] !== token || !(parts[0] === 'bridge' || parts[0] === 'session')) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  const ws = acceptWebSocket(req, socket, head, {maxMessage: 2 * kMaxMsize});
  if (!ws) return;
  if (parts[0] === 'bridge') {
    if (control && !reloading) {
      ws.close(1008, 'a page is already connected');  // RFC 6455 section 7.4.1: 1008 policy violation
      return;
    }
    control = ws;
    ws.on('message', (data, binary) => { if (!binary) onControl(JSON.parse(data.toString('utf8'))); });
    ws.on('close', () => {
      if (control !== ws) return;  // the page before a reload
      control = null;
      if (!stopping && !reloading) fatal('the page closed its control connection');
    });
    return;
  }
  const c = conns.get(Number(parts[2]));
  if (!c || c.ws) {
    ws.close(1008, 'no such connection');
    return;
  }
  c.attach(ws);
});

// ---- the page's reports ----
let ready = false;
let reloading = false;  // --wasi reload: the page closes its control socket and comes back
function onControl(m) {
  if (args.wasi.length && (m.type === 'ready' || m.type === 'wasi-result')) return wasiStep(m);
  if (m.type === 'log') {
    log(`page: ${m.text}`);
  } else if (m.type === 'error') {
    fatal(m.text);
  } else if (m.type === 'check') {
    process.stdout.write(`check ${m.name}: ${m.ok ? 'ok' : 'FAILED'} (${m.detail})\n`);
  } else if (m.type === 'ready' && !ready) {
    ready = true;
    log(`store open: ${m.report} (origin usage ${m.usage} of quota ${m.quota} bytes)`);
    if (args.bench) {
      // --bench FILE: run opfs/bench/bench.js in the worker, write its results, stop.
      log('running the benchmarks (opfs/bench/bench.js) ...');
      control.sendText(JSON.stringify({type: 'bench', options: benchOptions()}));
      return;
    }
    listenTcp();
  } else if (m.type === 'bench-result') {
    fs.writeFileSync(args.bench, JSON.stringify(m.results, null, 1) + '\n');
    log(`benchmark results in ${args.bench}`);
    stop(0);
  }
}

// ---- --wasi: programs run in the worker, in order ----
let wasiNext = 0, wasiStatus = 0;
function wasiStep(m) {
  if (m.type === 'ready') {
    ready = true;
    if (reloading) log(`the reloaded page opened the store: ${m.report}`);
    else log(`store open: ${m.report}`);
    reloading = false;
  } else {
    process.stdout.write(m.stdout);
    process.stderr.write(m.stderr);
    if (args.wasiTrace && m.trace) fs.appendFileSync(args.wasiTrace, m.trace);
    if (m.error) {
      log(`error: ${m.error}`);
      if (!wasiStatus) wasiStatus = 125;
    } else if (m.check) {
      log(`the store's invariants do not hold after the program: ${m.check}`);
      if (!wasiStatus) wasiStatus = 70;
    } else if (m.status && !wasiStatus) {
      wasiStatus = m.status;
    }
  }
  if (wasiNext >= args.wasi.length) return stop(0, wasiStatus);
  const spec = args.wasi[wasiNext++];
  if (spec === 'reload') {
    reloading = true;
    control.sendText(JSON.stringify({type: 'reload'}));
    return;
  }
  const [prog, ...rest] = spec.split(' ').filter((w) => w);
  let wasm;
  try {
    wasm = fs.readFileSync(prog).toString('base64');
  } catch (e) {
    fatal(`--wasi ${prog}: ${e.message}`);
    return;
  }
  const noPreopen = args.wasiPreopen === 'none';
  const load = args.wasiLoad ? treeEntries(args.wasiLoad, {base64: true, warn: (r) => log(`--wasi-load: ${r} left out`)})
                             : undefined;
  control.sendText(JSON.stringify({type: 'wasi', wasm, args: [prog, ...rest], dir: args.wasiDir, shim: !!args.shim,
                                   trace: !!args.wasiTrace && !args.shim, env: args.wasiEnv || {},
                                   preopen: noPreopen ? undefined : args.wasiPreopen, noPreopen, load}));
}

// ---- TCP: one 9P connection each ----
class Conn {
  constructor(socket) {
    this.id = nextConn++;
    this.socket = socket;
    this.ws = null;
    this.waiting = [];  // frames received before the page's WebSocket arrived
    this.msize = kMaxMsize;
    this.chunks = [];
    this.have = 0;
    this.closed = false;
    socket.setNoDelay(true);
    socket.on('data', (d) => this.receive(d));
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
    conns.set(this.id, this);
    control.sendText(JSON.stringify({type: 'connect', url: `ws://127.0.0.1:${httpPort}/session/${token}/${this.id}`}));
  }

  attach(ws) {
    if (this.closed) {
      ws.close(1000, '');
      return;
    }
    this.ws = ws;
    ws.on('message', (data, binary) => {
      if (!binary) return this.close();
      // Rversion (101): size[4] type[1] tag[2] msize[4] version[s]: the
      // session's msize from now on (intro(5) version).
      if (data.length >= 11 && data[4] === 101) this.msize = data.readUInt32LE(7);
      this.socket.write(data);
    });
    ws.on('close', () => this.close());
    for (const f of this.waiting) ws.sendBinary(f);
    this.waiting = [];
  }

  // Whole frames go on as they complete; a size field below 7 (no room for
  // size, type and tag) or above msize ends the connection at once, as the
  // reference transport does (reference/transport/stream.cc).
  receive(d) {
    this.chunks.push(d);
    this.have += d.length;
    while (this.have >= 4) {
      if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const size = this.chunks[0].readUInt32LE(0);
      if (size < 7 || size > this.msize) {
        debug(`connection ${this.id}: size field ${size} (msize ${this.msize}): closed`);
        this.close();
        return;
      }
      if (this.have < size) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const frame = all.subarray(0, size);
      const rest = all.subarray(size);
      this.chunks = rest.length ? [rest] : [];
      this.have = rest.length;
      if (this.ws) this.ws.sendBinary(frame);
      else this.waiting.push(Buffer.from(frame));
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    conns.delete(this.id);
    this.socket.destroy();
    if (this.ws) this.ws.close(1000, '');
  }
}

let tcpServer = null;
function listenTcp() {
  tcpServer = net.createServer((socket) => {
    if (!control) return socket.destroy();
    new Conn(socket);
  });
  tcpServer.on('error', (e) => fatal(`--listen ${args.listen}: ${e.message}`));
  tcpServer.listen(args.port, args.host, () => {
    process.stdout.write('ready\n');
  });
}

// ---- Chromium, driven over the DevTools protocol on a pipe ----
// --remote-debugging-pipe: the browser reads commands on fd 3 and writes
// replies and events on fd 4, each a JSON message followed by a NUL byte.
let cdpNext = 1;
const cdpPending = new Map();
function cdp(method, params = {}, sessionId) {
  const id = cdpNext++;
  const msg = {id, method, params};
  if (sessionId) msg.sessionId = sessionId;
  chromium.stdio[3].write(JSON.stringify(msg) + '\0');
  return new Promise((resolve, reject) => cdpPending.set(id, {resolve, reject, method}));
}
function cdpReceive(text) {
  const m = JSON.parse(text);
  if (m.id && cdpPending.has(m.id)) {
    const p = cdpPending.get(m.id);
    cdpPending.delete(m.id);
    if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
    else p.resolve(m.result);
  } else if (m.method === 'Runtime.consoleAPICalled' || m.method === 'Runtime.exceptionThrown') {
    debug(`console: ${text.slice(0, 500)}`);
  }
}

// Chromium's stderr: noise without a window system or a session bus is
// dropped; anything else is passed on, prefixed.
const noise = [/dbus/i, /bus\.cc/, /object_proxy/, /Fontconfig/, /DevTools listening/, /\bsandbox\b/i,
               /gpu_init|viz_main|gl_display|angle_platform|zygote/i, /^\s*$/];
function chromiumStderr(chunk) {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (!line || noise.some((r) => r.test(line))) continue;
    process.stderr.write(`chromium: ${line}\n`);
  }
}

let httpPort = 0;
async function main() {
  // The origin's port: the one this profile used before, or a fresh one.
  const portFile = path.join(args.profile, 'p9opfs-origin-port');
  let want = 0;
  if (fs.existsSync(portFile)) want = Number(fs.readFileSync(portFile, 'utf8').trim()) || 0;
  await new Promise((resolve) => {
    httpServer.once('error', (e) => {
      fatal(want ? `port ${want}, the origin of the store kept in ${args.profile} ` +
                   `(http://127.0.0.1:${want}), is in use: ${e.message}` : `HTTP server: ${e.message}`);
    });
    httpServer.listen(want, '127.0.0.1', resolve);
  });
  httpPort = httpServer.address().port;
  if (!want) fs.writeFileSync(portFile, `${httpPort}\n`);
  const origin = `http://127.0.0.1:${httpPort}`;
  debug(`page origin ${origin}`);

  chromium = spawn(args.chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    `--user-data-dir=${path.resolve(args.profile)}`, '--remote-debugging-pipe', 'about:blank',
  ], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
  chromium.on('error', (e) => fatal(`cannot start ${args.chromium}: ${e.message}`));
  chromium.on('exit', (code, signal) => {
    chromium.exited = true;
    if (!stopping) fatal(`chromium exited (${signal || `status ${code}`})`);
  });
  chromium.stderr.on('data', chromiumStderr);
  let inbox = Buffer.alloc(0);
  chromium.stdio[4].on('data', (d) => {
    inbox = Buffer.concat([inbox, d]);
    for (let z; (z = inbox.indexOf(0)) >= 0;) {
      const text = inbox.subarray(0, z).toString('utf8');
      inbox = inbox.subarray(z + 1);
      cdpReceive(text);
    }
  });
  chromium.stdio[3].on('error', () => {});

  // A tab, attached in flat mode (its commands carry its sessionId); the
  // quota override is a command of the page's Storage domain, so it comes
  // before the navigation to the page.
  const {targetId} = await cdp('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await cdp('Target.attachToTarget', {targetId, flatten: true});
  pageSession = sessionId;
  if (args.quota > 0) {
    await cdp('Storage.overrideQuotaForOrigin', {origin, quotaSize: args.quota}, sessionId);
    debug(`quota of ${origin}: ${args.quota} bytes`);
  }
  if (args.verbose) await cdp('Runtime.enable', {}, sessionId);
  const url = `${origin}/index.html?store=${encodeURIComponent(args.store)}&via=${args.via}` +
              (args.selfCheck ? '&check=1' : '') + (args.quota > 0 ? `&quota=${args.quota}` : '') + '&bridge=' +
              encodeURIComponent(`ws://127.0.0.1:${httpPort}/bridge/${token}`);
  await cdp('Page.navigate', {url}, sessionId);
  setTimeout(() => {
    if (!ready) fatal(`the page did not report the store open within ${args.timeout} s`);
  }, args.timeout * 1000).unref();
}

function fatal(text) {
  if (stopping) return;
  process.stderr.write(`serve.mjs: error: ${text}\n`);
  stop(1);
}

// The page's server.close() (opfs/web/p9opfs.js), awaited for at most 5 s:
// a stop on request loses nothing the server replied to.
let pageSession = null;
function closeStore() {
  if (!ready || !pageSession || !chromium || chromium.exited) return Promise.resolve();
  const closing = cdp('Runtime.evaluate', {expression: 'window.p9server ? window.p9server.close() : null', awaitPromise: true},
                      pageSession).then((r) => {
    if (r && r.exceptionDetails) process.stderr.write(`serve.mjs: server.close(): ${r.exceptionDetails.text}\n`);
  }, (e) => process.stderr.write(`serve.mjs: server.close(): ${e.message}\n`));
  return Promise.race([closing, new Promise((r) => setTimeout(r, 5000).unref())]);
}

// Stops Chromium (its own PID only: SIGTERM, SIGKILL after 3 s) and exits
// with `status` (default: code); asked to (code 0), lets the store go first.
function stop(code, status = code) {
  if (stopping) return;
  stopping = true;
  if (tcpServer) tcpServer.close();
  for (const c of conns.values()) c.close();
  httpServer.close();
  const done = () => process.exit(status);
  if (!chromium || chromium.exited || chromium.exitCode !== null || chromium.pid === undefined) return done();
  if (code === 0) {
    closeStore().then(() => kill(done));
    return;
  }
  kill(done);
}
function kill(done) {
  if (chromium.exited || chromium.exitCode !== null) return done();
  chromium.once('exit', done);
  chromium.kill('SIGTERM');
  setTimeout(() => {
    if (chromium.exitCode === null && !chromium.exited) chromium.kill('SIGKILL');
  }, 3000).unref();
  setTimeout(done, 5000).unref();
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
main().catch((e) => fatal(e.message));
