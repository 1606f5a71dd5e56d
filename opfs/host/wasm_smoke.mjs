// opfs.wasm_node: the OPFS module (build/opfs/web/p9opfs-wasm.js) under node,
// without a browser: the start-up sequence store.js runs (fixed slots, data
// slots found, open_store, pool top-up) over in-memory stand-ins for
// FileSystemSyncAccessHandle, then one 9P conversation through the exports.
//   node opfs/host/wasm_smoke.mjs build/opfs/web
// Exit status 0 when every step gave what it should.
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

const web = path.resolve(process.argv[2] || 'build/opfs/web');
const require = createRequire(import.meta.url);
const P9Opfs = require(path.join(web, 'p9opfs-wasm.js'));
const {Client9p, O} = await import(path.join(web, 'client9p.js'));

// A FileSystemSyncAccessHandle stand-in (WHATWG File System Standard): read
// and write {at}, truncate, getSize, flush.
class MemHandle {
  constructor() { this.data = new Uint8Array(0); }
  read(buf, {at = 0} = {}) {
    const n = Math.max(0, Math.min(buf.length, this.data.length - at));
    buf.set(this.data.subarray(at, at + n));
    return n;
  }
  write(buf, {at = 0} = {}) {
    if (at + buf.length > this.data.length) this.truncate(at + buf.length);
    this.data.set(buf, at);
    return buf.length;
  }
  truncate(n) { const d = new Uint8Array(n); d.set(this.data.subarray(0, n)); this.data = d; }
  getSize() { return this.data.length; }
  flush() {}
}

let bad = 0;
function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'BAD '} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) ++bad;
}

const handles = [new MemHandle(), new MemHandle(), new MemHandle()];
// wasmBinary: node 20's fetch() does not take file paths, which this
// Emscripten's loader would pass it.
const M = await P9Opfs({p9oHandles: handles, wasmBinary: fs.readFileSync(path.join(web, 'p9opfs-wasm.wasm'))});
handles[7] = new MemHandle();  // a data file "d7" found at start-up
M._p9o_slot_exists(7);
const rc = M._p9o_open_store();
check('p9o_open_store', rc === 0, M.UTF8ToString(M._p9o_message()));
check('pool wants files at start', M._p9o_pool_wanted() > 0, `${M._p9o_pool_wanted()}`);
check('the next slot follows the highest found', M._p9o_pool_next_slot() === 8, `${M._p9o_pool_next_slot()}`);
let added = 0;
while (M._p9o_pool_wanted() > 0 && added < 100) {
  const s = M._p9o_pool_next_slot();
  handles[s] = new MemHandle();
  M._p9o_pool_add(s);
  ++added;
}
check('pool topped up', M._p9o_pool_wanted() === 0 && M._p9o_pool_empty() === 0, `${added} files added`);

const session = M._p9o_session_open();
check('p9o_session_open', session > 0, `${session}`);
check('msize before Tversion is the server maximum', M._p9o_session_msize(session) === (1 << 20) + 24,
      `${M._p9o_session_msize(session)}`);
const send = async (frame) => {
  const at = M._p9o_buffer(frame.length);
  M.HEAPU8.set(frame, at);
  const n = M._p9o_handle(session, frame.length);
  if (n < 0) throw new Error(`p9o_handle: ${n}`);
  M._p9o_idle();
  return M.HEAPU8.slice(M._p9o_reply(), M._p9o_reply() + n);
};
const c = new Client9p(send);
try {
  check('Tversion', (await c.version(8192)) === 8192);
  check('msize after Tversion', M._p9o_session_msize(session) === 8192);
  await c.attach(0, 'root', '', 0);
  await c.mkdir(0, 'd');
  await c.walk(0, 1, ['d']);
  await c.lcreate(1, 'f', O.RDWR, 0o644, 0);
  const data = new Uint8Array(20000).map((_, i) => i * 7);
  let off = 0;
  while (off < data.length) off += await c.write(1, off, data.subarray(off, Math.min(data.length, off + 8000)));
  const back = [];
  for (let o = 0; ;) {
    const b = await c.read(1, o, 8000);
    if (!b.length) break;
    back.push(...b);
    o += b.length;
  }
  check('write then read 20000 bytes', back.length === data.length && back.every((v, i) => v === data[i]),
        `${back.length} bytes`);
  await c.walk(0, 2, ['d']);
  await c.lopen(2, O.RDONLY | O.DIRECTORY);
  const names = (await c.readdir(2, 0, 4000)).map((e) => e.name).sort();
  check('readdir', names.join(',') === '.,..,f', names.join(','));
  let err = null;
  try { await c.walk(0, 3, ['nope']); } catch (e) { err = e; }
  check('walk to a missing name fails with ENOENT', err && err.errno === 2, String(err && err.message));
  await c.clunk(1);
} catch (e) {
  check('conversation', false, e.stack);
}
// How fast the module answers a small request with no transport: one
// pre-encoded Tgetattr (size 19, type 24, tag 1, fid 0, mask 0x7ff) over and
// over through the exports. Printed, not checked.
{
  const f = new Uint8Array(19);
  const dv = new DataView(f.buffer);
  dv.setUint32(0, 19, true);
  f[4] = 24;
  dv.setUint16(5, 1, true);
  dv.setBigUint64(11, 0x7ffn, true);
  const N = 200000;
  let ok = true;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; ++i) {
    M.HEAPU8.set(f, M._p9o_buffer(19));
    ok = M._p9o_handle(session, 19) > 100 && ok;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  check(`${N} Tgetattr through the exports: ${Math.round(N / s)}/s, ${(s / N * 1e6).toFixed(2)} us each`,
        ok && M.HEAPU8[M._p9o_reply() + 4] === 25);
}
M._p9o_session_close(session);
check('unknown session refused', M._p9o_handle(session, 7) < 0);
process.exit(bad ? 1 : 0);
