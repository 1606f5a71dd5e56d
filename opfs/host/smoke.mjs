// opfs.smoke: the whole browser path once. Starts serve.mjs (headless
// Chromium, a fresh profile), waits for "ready", then over TCP:
// Tversion, Tattach, Twalk, Tlcreate, Twrite, Tread (the bytes come back),
// Treaddir; and a second connection sees the file. The page serves the 9P
// WebSockets itself (--via page: serveWebSocket), the conformance target
// uses the default (the worker's). Exit 0 on success.
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
const port = await freePort();
const argv = [opt.serve, '--listen', `127.0.0.1:${port}`, '--profile', profile, '--web', opt.web, '--store', 'smoke',
              '--via', 'page'];  // the page's serveWebSocket (the conformance run covers the worker's)
if (opt.chromium) argv.push('--chromium', opt.chromium);
const t0 = Date.now();
const serve = spawn(process.execPath, argv, {stdio: ['ignore', 'pipe', 'inherit']});
let ending = false;
const finish = (code) => {
  serve.kill('SIGTERM');
  const t = setTimeout(() => serve.kill('SIGKILL'), 8000);
  serve.on('exit', () => {
    clearTimeout(t);
    fs.rmSync(profile, {recursive: true, force: true});
    process.exit(code);
  });
};
serve.on('exit', (code) => {
  if (!ending) {
    console.log(`BAD serve.mjs exited with status ${code} before the test ended`);
    fs.rmSync(profile, {recursive: true, force: true});
    process.exit(1);
  }
});
await new Promise((resolve) => {
  let out = '';
  serve.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ready\n')) resolve();
  });
});
console.log(`ok   serve.mjs ready after ${Date.now() - t0} ms`);
try {
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
  if (!back.equals(Buffer.from(text))) throw new Error(`read back ${back.length} bytes, not the ${text.length} written`);
  console.log(`ok   Tversion (msize ${msize}) Tattach Twalk Tlcreate Twrite Tread: ${text.length} bytes back`);
  const b = await connect(port);
  const c2 = new Client9p(b.send);
  await c2.version(8192);
  await c2.attach(0, 'root', '', 0);
  await c2.walk(0, 1, []);
  await c2.lopen(1, O.RDONLY | O.DIRECTORY);
  const names = (await c2.readdir(1, 0, 8000)).map((e) => e.name);
  if (!names.includes('hello.txt')) throw new Error(`a second connection lists ${names.join(',')}`);
  console.log(`ok   a second connection lists ${names.join(' ')}`);
  a.close();
  b.close();
  ending = true;  // from here on serve.mjs exits because we stop it
  finish(0);
} catch (e) {
  console.log(`BAD ${e.stack}`);
  ending = true;
  finish(1);
}
