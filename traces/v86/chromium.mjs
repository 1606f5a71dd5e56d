// chromium.mjs: the v86 guest in headless Chromium on the OPFS server. Serves
// page.html, the OPFS server's files (build/opfs/web: p9opfs.js, worker.js,
// the wasm module), v86's libv86.mjs + v86.wasm and the guest's images over
// HTTP on 127.0.0.1, opens the page in headless Chromium, and collects what the
// page POSTs back (serial ports, events, frames); prints the workload's output
// and exits with its status.
//
//   node traces/v86/chromium.mjs --cache DIR --workload FILE [--workload FILE...] [--msize N]
//        [--mount-opts OPTS] [--timeout SECS] [--record FILE] [--log FILE]
//        [--profile DIR] [--store NAME] [--web DIR] [--v86 DIR] [--chromium PATH]
//        [--helpers 1] [--reload-with FILE] [--fs opfs|builtin] [--guest page|worker] [--report FILE]
//
// --workload  one, or several in one boot (a batch, as run.mjs)
// --fs        opfs (default): the OPFS server through handle9p; builtin: v86's
//             own 9P server over an empty in-memory file system (lib/9p.js
//             Virtio9p over lib/filesystem.js FS; nothing persists), the
//             side-by-side benchmark's baseline (bench.mjs)
// --guest     page (default): v86 on the page, the OPFS server in its own worker
//             through the page API (p9opfs.js startServer().handle9p): a message
//             to the worker and one back per 9P request; worker: v86 in a
//             dedicated worker with the server in the same thread
//             (guest-worker.js over opfs/web/store.js): each request answered
//             within v86's handle9p call (--helpers and --reload-with need page)
// --report F  writes what the page measured as JSON: boot to mount, the
//             "bench: begin/end NAME" phases' wall times and (fs=opfs) the
//             handle9p request -> reply times per phase and message type
// --profile   Chromium's user-data-dir (default: a fresh temporary one, removed);
//             a later run over the same DIR reopens the same OPFS store (same origin port)
// --helpers 1 the page-helper check: the page writes from-page.txt with
//             server.writeFile before the boot and, after the unmount, must read
//             "written by the guest" from from-guest.txt with server.readFile and
//             list both names with server.list (workloads/helpers.sh is the guest's side);
//             exit 1 when it does not
// --reload-with FILE  persistence across a page reload: after the workload the
//             page lets the store go (server.close()) and reloads itself; the
//             reloaded page opens the store again and boots the guest with FILE
//             (both must pass; the second one's output follows the first's)
// Exit codes as run.mjs: the workload's rc; 124 timeout; 125 the guest did not
// run the workload or the page failed; 77 a prerequisite is missing; 2 usage.
//
// Chromium is started as this process's own child with the flags
// opfs/host/serve.mjs uses, the page given on its command line (no DevTools
// protocol needed: the page reports over HTTP), and stopped by its PID.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {CMDLINE, MEMORY, formatStats, markTimes, parsePort, printBatchSummary, planRun, readGuest, writeTrace} from './common.mjs';
import {SERVER_FILES, missingWebFile} from '../../opfs/host/web_files.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const say = (s) => process.stderr.write(`chromium-v86: ${s}\n`);
function usage(msg) {
  if (msg) say(msg);
  process.stderr.write('usage: node traces/v86/chromium.mjs --cache DIR --workload FILE [--msize N] [--mount-opts OPTS] ' +
                       '[--timeout SECS] [--record FILE] [--log FILE] [--profile DIR] [--store NAME] [--web DIR] ' +
                       '[--v86 DIR] [--chromium PATH] [--helpers 1] [--reload-with FILE] [--fs opfs|builtin] [--guest page|worker] ' +
                       '[--report FILE]\n');
  process.exit(2);
}
const opt = {timeout: 300, mountOpts: '', store: 'v86', chromium: '/usr/lib/chromium/chromium', fs: 'opfs', guest: 'page',
             web: process.env.P9_OPFS_WEB || path.join(root, 'build/opfs/web'),
             v86: process.env.P9_V86_DIR || path.join(here, 'node_modules/v86')};
{
  const a = process.argv.slice(2);
  const names = {'--cache': 'cache', '--workload': 'workload', '--msize': 'msize', '--mount-opts': 'mountOpts',
                 '--timeout': 'timeout', '--record': 'record', '--log': 'log', '--profile': 'profile',
                 '--store': 'store', '--web': 'web', '--v86': 'v86', '--chromium': 'chromium', '--helpers': 'helpers',
                 '--reload-with': 'reloadWith', '--fs': 'fs', '--guest': 'guest', '--report': 'report'};
  opt.workloads = [];
  for (let i = 0; i < a.length; i += 2) {
    const k = names[a[i]];
    if (!k || a[i + 1] === undefined) usage(`bad argument: ${a[i]}`);
    if (k === 'workload') opt.workloads.push(a[i + 1]);
    else opt[k] = a[i + 1];
  }
  if (!opt.cache || !opt.workloads.length) usage('--cache and --workload are required');
  if (opt.record && (opt.workloads.length > 1 || opt.reloadWith)) usage('--record takes one --workload, no --reload-with');
  for (const w of opt.workloads.concat(opt.reloadWith || [])) if (!fs.existsSync(w)) usage(`workload not found: ${w}`);
  if (!/^\d+$/.test(String(opt.timeout)) || (opt.msize && !/^\d+$/.test(opt.msize))) usage('bad number');
  if (!/^[A-Za-z0-9._-]+$/.test(opt.store)) usage('bad --store');
  if (opt.fs !== 'opfs' && opt.fs !== 'builtin') usage('--fs is opfs or builtin');
  if (opt.fs === 'builtin' && (opt.record || opt.helpers === '1' || opt.reloadWith)) usage('--record, --helpers and --reload-with need --fs opfs');
  if (opt.guest !== 'page' && opt.guest !== 'worker') usage('--guest is page or worker');
  if (opt.guest === 'worker' && (opt.helpers === '1' || opt.reloadWith)) usage('--helpers and --reload-with need --guest page');
}
function skip(why) { console.log(`SKIP: ${why}`); process.exit(77); }
const guest = readGuest(opt.cache);
if (guest.missing) skip(guest.missing);
for (const f of ['build/libv86.mjs', 'build/libv86.js', 'build/v86.wasm'])
  if (!fs.existsSync(path.join(opt.v86, f))) skip(`${opt.v86}/${f} missing: run traces/v86/setup.sh`);
{
  const missing = missingWebFile(opt.web);
  if (missing) skip(`${missing} missing: build target p9opfs (needs em++)`);
}
if (!fs.existsSync(opt.chromium)) skip(`${opt.chromium} missing (apt-get install chromium)`);
const v86Version = JSON.parse(fs.readFileSync(path.join(opt.v86, 'package.json'), 'utf8')).version;

// One plan per boot: the workload(s), and with --reload-with the one booted
// by the reloaded page (its initrd is served as initrd?phase=2).
let plans;
try {
  plans = [opt.workloads].concat(opt.reloadWith ? [[opt.reloadWith]] : [])
    .map((w) => planRun(opt.cache, w, opt.mountOpts, opt.msize));
} catch (e) { usage(e.message); }
let phase = 1;  // which boot's output the driver is collecting
let plan = plans[0];
const {mopts, workloadText} = plan;
const token = randomBytes(12).toString('hex');

// --- HTTP: a fixed set of files, and POST /out from the page ----------------------
const files = {
  'page.html': path.join(here, 'page.html'), 'guest.js': path.join(here, 'guest.js'),
  'guest-worker.js': path.join(here, 'guest-worker.js'),
  'libv86.mjs': path.join(opt.v86, 'build/libv86.mjs'), 'libv86.js': path.join(opt.v86, 'build/libv86.js'),
  'v86.wasm': path.join(opt.v86, 'build/v86.wasm'),
  'bios.bin': path.join(opt.cache, 'bios.bin'), 'vmlinuz': path.join(opt.cache, 'vmlinuz'),
};
for (const f of SERVER_FILES) files[f] = path.join(opt.web, f);
const types = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
               '.wasm': 'application/wasm', '.json': 'application/json'};
const config = JSON.stringify({cmdline: CMDLINE, memory: MEMORY});

let serial0 = '', serial1 = '';
const frames = [];
const events = [];
const marks = [];     // {t: ms since the page's navigation start, line}
let stats = null;     // fs=opfs: the page's handle9p timing {phase: {type: {n, median, p90, total}}}
let requests = 0;
const http_ = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const name = u.pathname.slice(1);
  if (req.method === 'POST' && name === 'out' && u.searchParams.get('token') === token) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      let m;
      try { m = JSON.parse(Buffer.concat(chunks).toString()); } catch { return; }
      if ((m.phase || 1) === phase) {  // late bytes of an earlier boot are dropped
        serial0 += m.serial0 || '';
        serial1 += m.serial1 || '';
      }
      for (const f of m.frames || []) { frames.push(f); if (f.dir === 'C') ++requests; }
      if ((m.phase || 1) === phase) marks.push(...(m.marks || []));  // one page's clock
      for (const e of m.events || []) {
        events.push(e);
        const st = e.match(/^[\d.]+ s handle9p-stats: (\{.*\})$/);
        if (st) { stats = JSON.parse(st[1]); continue; }
        say(`page: ${e}`);
        if (/^[\d.]+ s error:/.test(e)) pageFailed = e;
        const h = e.match(/^[\d.]+ s helpers: (\{.*\})$/);
        if (h) helpers = JSON.parse(h[1]);
      }
      check();
    });
    return;
  }
  // Cross-origin isolated (COOP + COEP; every resource is same-origin), so the
  // page's performance.now() keeps a 5 us resolution instead of 100 us (HR-Time,
  // "coarsen time"; Chromium's values): the handle9p timing needs it.
  const head = (type) => ({'Content-Type': type, 'Cache-Control': 'no-store',
                           'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp'});
  if (name === 'initrd') {
    const p = plans[Number(u.searchParams.get('phase') || 1) - 1];
    return p ? res.writeHead(200, head('application/octet-stream')).end(p.initrd) : res.writeHead(404).end();
  }
  if (name === 'config.json') return res.writeHead(200, head(types['.json'])).end(config);
  const file = files[name];
  if (!file) return res.writeHead(404).end('not found\n');
  res.writeHead(200, head(types[path.extname(name)] || 'application/octet-stream'));
  fs.createReadStream(file).pipe(res);
});
// OPFS storage belongs to the page's origin, http://127.0.0.1:PORT: a later run
// over the same --profile must use the same port to find the same store, so the
// port is kept in PROFILE/p9v86-origin-port (as opfs/host/serve.mjs keeps its own).
const tmpProfile = opt.profile ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'p9v86-chromium.'));
const profile = path.resolve(opt.profile || tmpProfile);
fs.mkdirSync(profile, {recursive: true});
const portFile = path.join(profile, 'p9v86-origin-port');
const keptPort = fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, 'utf8')) : 0;
try {
  await new Promise((resolve, reject) => { http_.once('error', reject); http_.listen(keptPort, '127.0.0.1', resolve); });
} catch (e) {
  say(`cannot listen on 127.0.0.1:${keptPort} (the port this profile's OPFS origin uses): ${e.message}`);
  process.exit(125);
}
fs.writeFileSync(portFile, String(http_.address().port));
const origin = `http://127.0.0.1:${http_.address().port}`;

// --- Chromium ------------------------------------------------------------------------
const url = `${origin}/page.html?guest=${opt.guest}&yield=${process.env.P9_V86_YIELD || ''}&fs=${opt.fs}&store=${opt.store}&record=${opt.record ? 1 : 0}&helpers=${opt.helpers === '1' ? 1 : 0}` +
            `&reload=${opt.reloadWith ? 1 : 0}&token=${token}`;
const startedAt = new Date();
const tStart = Date.now();
const chromium = spawn(opt.chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  // A page in a background/occluded headless window must not be throttled: v86
  // runs its CPU loop on the page's thread.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  `--user-data-dir=${profile}`, url,
], {stdio: ['ignore', 'ignore', 'pipe']});
let chromiumLog = '';
chromium.stderr.on('data', (d) => { chromiumLog = (chromiumLog + d).slice(-20000); });
let chromiumExited = false;
chromium.on('exit', (code, signal) => {
  chromiumExited = true;
  if (!finished) { say(`chromium exited (${signal || code}) before the guest finished`); done(125); }
});
chromium.on('error', (e) => { say(`cannot start ${opt.chromium}: ${e.message}`); done(125); });
say(`booting ${guest.kernel} in v86 ${v86Version} in headless Chromium (${origin}, v86 in the ${opt.guest}); ` +
    `${opt.fs === 'opfs' ? `OPFS store ${opt.store}` : "v86's built-in 9P server (in memory)"}; ` +
    `mount -t 9p -o ${mopts} host9p; workload ${plan.name}`);

let finished = false;
let pageFailed = null;
let helpers = null;  // --helpers: what the page read and listed after the unmount
let tMount = null;
let earlierBoots = '';  // --reload-with: the first boot's ports, for --log
function check() {
  if (finished) return;
  if (tMount === null && serial1.includes('==P9-WORKLOAD-BEGIN==')) tMount = Date.now();
  if (pageFailed) { say(`the page failed: ${pageFailed}`); return done(125); }
  const r = parsePort(serial1);
  if (!r) return;
  if (r.kind === 'failed') { say(`guest could not run the workload: ${r.line}`); showConsole(); return done(125); }
  if (opt.helpers === '1' && !helpers) return;  // the page's read comes after the unmount
  process.stdout.write(r.body);
  r.rc = printBatchSummary(r, plan);
  if (helpers) {
    const ok = helpers.read === 'written by the guest\n' && helpers.names.join(' ').includes('from-guest.txt from-page.txt');
    console.log(`${ok ? 'ok' : 'FAIL'} page.readFile+list: read ${JSON.stringify(helpers.read)}, listed ${helpers.names.join(' ')}`);
    if (!ok && r.rc === 0) r.rc = 1;
  }
  if (r.umount !== '0') say(`warning: unmount did not succeed (rc=${r.umount})`);
  const secs = (ms) => (ms / 1000).toFixed(1);
  if (phase < plans.length) {  // --reload-with: the page reloads and boots again
    if (r.rc !== 0) { say(`workload rc=${r.rc} before the reload: not reloading`); return done(r.rc); }
    say(`boot ${phase} passed (${secs(Date.now() - tStart)} s); the page lets the store go and reloads`);
    earlierBoots += `=== boot ${phase}: console (ttyS0) ===\n${serial0.replace(/\r/g, '')}\n` +
                    `=== boot ${phase}: workload port (ttyS1) ===\n${serial1.replace(/\r/g, '')}\n`;
    ++phase;
    plan = plans[phase - 1];
    serial0 = serial1 = '';
    tMount = null;
    console.log(`=== after the page reload: ${plan.name} ===`);
    return;
  }
  say(`guest finished in ${secs(Date.now() - tStart)} s (Chromium start to mount ${secs(tMount - tStart)} s, ` +
      `workload ${secs(Date.now() - tMount)} s${opt.record ? `, ${requests} 9P requests` : ''}); workload rc=${r.rc}`);
  const mt = markTimes(marks);
  const f3 = (x) => (x === null ? '?' : x.toFixed(3));
  say(`in the page: navigation start to mount ${f3(mt.pageToMount)} s, emulator start to mount ${f3(mt.emulatorToMount)} s` +
      Object.entries(mt.phases).map(([k, v]) => `; ${k} ${f3(v)} s`).join(''));
  for (const [ph, types] of Object.entries(stats || {})) {
    say(`handle9p request -> reply in the page${ph ? `, phase ${ph}` : ' (outside bench phases)'}:\n${formatStats(types)}`);
  }
  if (opt.report) {
    fs.writeFileSync(opt.report, JSON.stringify({fs: opt.fs, guest: opt.guest, workload: plan.name, rc: r.rc, mopts,
                                                 umount: r.umount, chromium: chromiumVersion(), v86: v86Version,
                                                 chromiumToMount: (tMount - tStart) / 1000, ...mt, marks, stats,
                                                 body: r.body}, null, 1) + '\n');
  }
  if (opt.record) {
    writeTrace(opt.record, {workload: opt.workloads[0], workloadText, rc: r.rc, kernel: guest.kernel, mopts,
                            server: `opfs (OPFS store "${opt.store}" in the worker of headless Chromium ${chromiumVersion()})`,
                            transport: `virtio-9p, v86 ${v86Version} filesystem.handle9p ${opt.guest === 'worker' ? 'in the server\'s worker (store.js)' : 'in the page (p9opfs.js)'}`,
                            frames, startedAt});
    say(`wrote ${opt.record}: ${frames.length} frames`);
  }
  return done(r.rc);
}
function chromiumVersion() {
  try { return fs.readFileSync(path.join(profile, 'Last Version'), 'utf8').trim(); } catch { return '?'; }
}
function showConsole() {
  say('last console lines:');
  for (const l of serial0.replace(/\r/g, '').trimEnd().split('\n').slice(-25)) process.stderr.write(`  | ${l}\n`);
}
const timer = setTimeout(() => { say(`timeout after ${opt.timeout} s`); showConsole(); done(124); }, Number(opt.timeout) * 1000);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => done(sig === 'SIGTERM' ? 143 : 130));

async function done(code) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  if (opt.log) {
    fs.writeFileSync(opt.log, `${earlierBoots}=== console (ttyS0) ===\n${serial0.replace(/\r/g, '')}\n=== workload port (ttyS1) ===\n` +
                     `${serial1.replace(/\r/g, '')}\n=== page events ===\n${events.join('\n')}\n=== chromium ===\n${chromiumLog}\n`);
  }
  if (!chromiumExited) {
    const gone = new Promise((r) => chromium.once('exit', r));
    chromium.kill('SIGTERM');  // our own child, by its PID
    const t = setTimeout(() => { if (!chromiumExited) chromium.kill('SIGKILL'); }, 5000);
    await gone;
    clearTimeout(t);
  }
  http_.close();
  // Chromium's helper processes may still write into the profile for a moment
  // after the browser process exits: retry, and never let the cleanup change
  // the verdict.
  if (tmpProfile) {
    try {
      fs.rmSync(tmpProfile, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
    } catch (e) {
      say(`could not remove the profile ${tmpProfile}: ${e.message}`);
    }
  }
  process.exit(code);
}
