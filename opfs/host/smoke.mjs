// opfs.smoke: the whole browser path. Starts serve.mjs (headless Chromium, a
// fresh profile) and waits for "ready", then over TCP: Tversion, Tattach,
// Twalk, Tlcreate, Twrite, Tread (the bytes come back), and Treaddir on a
// second connection. Also: a second server on the same store in the same
// page is refused ("store in use by another context"), the page's API works
// (writeFile/readFile/list, handle9p), JsFiles and library.js work on real
// sync access handles and a write past the quota gives ENOSPC (--self-check
// --quota), and a
// second run over the same profile finds the data files the first one made
// in OPFS (the page's origin is the same). The page serves the 9P WebSockets
// itself here (--via page: serveWebSocket); the conformance target uses the
// default (the worker's). Exit 0 on success.
//   node opfs/host/smoke.mjs --serve opfs/host/serve.mjs --web build/opfs/web [--chromium PATH]
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = {serve: path.join(here, 'serve.mjs'), web: null, chromium: null};
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const {Client9p, O} = await import(path.join(path.resolve(opt.web), 'client9p.js'));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// One 9P connection over TCP: frames delimited by size[4], little-endian.
function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const waiters = [];
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= buf.readUInt32LE(0)) {
        const n = buf.readUInt32LE(0);
        const f = new Uint8Array(buf.subarray(0, n));
        buf = buf.subarray(n);
        waiters.shift().resolve(f);
      }
    });
    sock.on('close', () => { for (const w of waiters.splice(0)) w.reject(new Error('connection closed')); });
    sock.on('error', reject);
    sock.on('connect', () => resolve({
      send: (frame) => new Promise((res, rej) => { waiters.push({resolve: res, reject: rej}); sock.write(frame); }),
      close: () => sock.end(),
    }));
  });
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'p9opfs-smoke-'));
let current = null;  // the serve.mjs running now
let bad = 0;
function check(what, ok) {
  console.log(`${ok ? 'ok  ' : 'BAD '} ${what}`);
  if (!ok) ++bad;
}
function cleanup(code) {
  // Chromium's helper processes may write into the profile for a moment after
  // it exits: retry, and never let the cleanup change the verdict.
  try {
    fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
  } catch (e) {
    console.log(`(could not remove ${profile}: ${e.message})`);
  }
  process.exit(code);
}

// Starts serve.mjs; resolves with its stdout and stderr so far once it said
// "ready" and whatever else `until` waits for; rejects if it exits first.
async function start(port, extra, until = []) {
  const argv = [opt.serve, '--listen', `127.0.0.1:${port}`, '--profile', profile, '--web', opt.web, '--store', 'smoke',
                '--via', 'page', ...extra];
  if (opt.chromium) argv.push('--chromium', opt.chromium);
  const t0 = Date.now();
  const p = spawn(process.execPath, argv, {stdio: ['ignore', 'pipe', 'pipe']});
  current = p;
  p.out = '';
  p.err = '';
  p.stderr.on('data', (d) => { p.err += d; process.stderr.write(d); });
  await new Promise((resolve, reject) => {
    const done = () => p.out.includes('ready\n') && until.every((u) => p.out.includes(u));
    p.stdout.on('data', (d) => { p.out += d; if (done()) resolve(); });
    p.on('exit', (code) => reject(new Error(`serve.mjs exited with status ${code}: ${p.err.trim()}`)));
  });
  p.removeAllListeners('exit');
  check(`serve.mjs ready after ${Date.now() - t0} ms`, true);
  return p;
}

function stop(p) {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve(p.exitCode);
    const t = setTimeout(() => p.kill('SIGKILL'), 8000);
    p.on('exit', (code) => { clearTimeout(t); resolve(code); });
    p.kill('SIGTERM');
  });
}

try {
  const port = await freePort();
  let s = await start(port, ['--self-check', '--quota', String(8 << 20)],
                      ['check lock: ', 'check api: ', 'check files: ', 'check enospc: ']);
  check(`a second server on the store is refused: ${s.out.match(/check lock: .*/)[0]}`, s.out.includes('check lock: ok'));
  check(`the page's API: ${s.out.match(/check api: .*/)[0]}`, s.out.includes('check api: ok'));
  check(`JsFiles + library.js: ${s.out.match(/check files: .*/)[0]}`, s.out.includes('check files: ok'));
  check(`past --quota: ${s.out.match(/check enospc: .*/)[0]}`, s.out.includes('check enospc: ok'));
  const a = await connect(port);
  const c = new Client9p(a.send);
  const msize = await c.version(65536);
  await c.attach(0, 'root', '', 0);
  await c.walk(0, 1, []);
  await c.lcreate(1, 'hello.txt', O.RDWR, 0o644, 0);
  const text = new TextEncoder().encode('hello from the host, through Chromium\n'.repeat(2000));
  let off = 0;
  while (off < text.length) off += await c.write(1, off, text.subarray(off, off + msize - 24));
  const got = [];
  for (let o = 0; ;) {
    const b = await c.read(1, o, msize - 24);
    if (!b.length) break;
    got.push(b);
    o += b.length;
  }
  const back = Buffer.concat(got);
  check(`Tversion (msize ${msize}) Tattach Twalk Tlcreate Twrite Tread: ${back.length} of ${text.length} bytes back`,
        back.equals(Buffer.from(text)));
  const b = await connect(port);
  const c2 = new Client9p(b.send);
  await c2.version(8192);
  await c2.attach(0, 'root', '', 0);
  await c2.walk(0, 1, []);
  await c2.lopen(1, O.RDONLY | O.DIRECTORY);
  const names = (await c2.readdir(1, 0, 8000)).map((e) => e.name);
  check(`a second connection lists ${names.join(' ')}`, names.includes('hello.txt'));
  a.close();
  b.close();
  const first = Number((s.err.match(/(\d+) data files found/) || [])[1]);
  check(`stopped by SIGTERM: status ${await stop(s)}`, s.exitCode === 0);
  // The same profile again: the same origin, so the data files the first run
  // created (its pool) are found in OPFS.
  s = await start(port, []);
  const again = Number((s.err.match(/(\d+) data files found/) || [])[1]);
  check(`the same profile again finds the first run's data files (${first} then ${again})`, first === 0 && again > 0);
  await stop(s);
  cleanup(bad ? 1 : 0);
} catch (e) {
  console.log(`BAD ${e.stack}`);
  if (current) await stop(current);
  cleanup(1);
}
