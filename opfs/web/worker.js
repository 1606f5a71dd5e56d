// The OPFS server's dedicated worker: the wasm module (p9opfs-wasm.js, built by
// opfs/CMakeLists.txt with -sMODULARIZE: a factory P9Opfs) over the store's
// files in the Origin Private File System. The wasm side is synchronous
// (opfs/wasm/api.h); everything asynchronous happens here, between requests:
// opening the store's files and topping up the pool of data files.
//
// Messages in (from p9opfs.js):
//   {type:'start', store}                  once, first
//   {type:'open', id}                      -> {type:'opened', id, session, msize}
//   {type:'frame', id, session, bytes}     -> {type:'reply', id, bytes, msize}
//                                             (bytes: an ArrayBuffer, transferred both ways)
//   {type:'close', session}
//   {type:'shutdown', id}                  -> {type:'reply', id, error?}: after the requests
//                                             before it, every session ended, the store made
//                                             durable (p9o_close_store), every handle closed,
//                                             the lock released; later requests are refused
//   {type:'check-files', id, bytes}        -> {type:'checked', id, rc, text}: JsFiles and
//                                             library.js on a scratch OPFS file
//                                             (p9opfs/.check-<store>/scratch)
//   {type:'serve-ws', url}                 the worker opens a WebSocket to url and
//                                          serves one 9P connection over it itself
//                                          (one frame per binary message, both ways)
// Messages out besides the replies: {type:'ready', report}, {type:'error', text}
// (the store cannot be served), {type:'log', text}. A request that cannot be
// served gets {type:'reply' or 'opened', id, error}.
'use strict';
importScripts('p9opfs-wasm.js');

const handles = [];  // slot -> FileSystemSyncAccessHandle (Module.p9oHandles)
let M = null;        // the module, once the store is open
let dir = null;      // the store's directory, p9opfs/<store>/
let failed = null;   // why nothing is served
const queue = [];    // requests not handled yet, in arrival order
let topping = false; // a pool top-up is running

function post(msg, transfer) { self.postMessage(msg, transfer || []); }
function log(text) { post({type: 'log', text: String(text)}); }

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') {
    start(String(m.store || 'default'));
    return;
  }
  if (m.type === 'serve-ws') {
    serveWebSocket(m.url);
    return;
  }
  if (m.type === 'check-files') {
    const go = () => { queue.push(m); pump(); };
    if (checkDir) go();
    else prepareCheck(storeName).then(go, (e) => post({type: 'checked', id: m.id, rc: -5, text: String(e)}));
    return;
  }
  queue.push(m);
  pump();
};

// A 9P connection over a WebSocket the worker holds: its frames join the same
// queue as the page's requests. A message longer than the session's msize
// closes the socket with 1009 "message too big" (RFC 6455 section 7.4.1).
function serveWebSocket(url) {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const conn = {ws, session: 0, closed: false};
  ws.onopen = () => { queue.push({type: 'ws-open', conn}); pump(); };
  ws.onmessage = (e) => { queue.push({type: 'ws-frame', conn, bytes: e.data}); pump(); };
  ws.onclose = () => { queue.push({type: 'ws-close', conn}); pump(); };
  ws.onerror = () => {};
}

// One worker serves a store; a second context (another tab, a second worker)
// must not open the same files: a sync access handle is exclusive (WHATWG
// File System Standard, createSyncAccessHandle(): "NoModificationAllowedError"
// when the file is locked), and the Web Lock makes that refusal explicit and
// early (W3C Web Locks API, LockManager.request() with ifAvailable: the
// callback gets null when the lock is held elsewhere). The lock is held for
// the worker's life, or until a shutdown settles its callback's promise.
let storeName = '';
let releaseLock = null;
function start(store) {
  storeName = store;
  if (!/^[A-Za-z0-9._-]+$/.test(store) || store === '.' || store === '..') {
    fail(`bad store name '${store}' (letters, digits, '.', '_', '-')`);
    return;
  }
  if (!self.navigator.locks || !self.navigator.storage || !self.navigator.storage.getDirectory) {
    fail('this context has no Web Locks or no Origin Private File System (a secure context is needed)');
    return;
  }
  self.navigator.locks.request('p9opfs:' + store, {ifAvailable: true}, async (lock) => {
    if (!lock) {
      fail('store in use by another context');
      return;
    }
    try {
      await open(store);
    } catch (e) {
      fail(`cannot open store '${store}': ${e && e.message ? e.message : e}`);
      return;
    }
    await new Promise((r) => { releaseLock = r; });
  });
}

function fail(text) {
  failed = text;
  post({type: 'error', text});
  pump();  // answers what is queued with the error
}

// Slots and names: opfs/store/files.h (journal, checkpoint.0, checkpoint.1 are
// slots 0, 1, 2; data file "d<N>" is slot N >= 3).
const kFirstData = 3;
const fixedSlots = ['journal', 'checkpoint.0', 'checkpoint.1'];

async function openHandle(name) {
  const fh = await dir.getFileHandle(name, {create: true});
  return fh.createSyncAccessHandle();
}

async function open(store) {
  const root = await self.navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle('p9opfs', {create: true});
  dir = await top.getDirectoryHandle(store, {create: true});
  const mod = await P9Opfs({
    p9oHandles: handles,
    p9oOnError: (slot, e) => log(`slot ${slot}: ${e && e.name}: ${e && e.message}`),
    print: (t) => log(t),
    printErr: (t) => log(t),
  });
  for (let s = 0; s < fixedSlots.length; ++s) handles[s] = await openHandle(fixedSlots[s]);
  // Every existing data file "d<N>".
  let found = 0;
  const it = dir.entries();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const name = r.value[0], h = r.value[1];
    const m = /^d(0|[1-9][0-9]*)$/.exec(name);
    if (!m || h.kind !== 'file') continue;
    const slot = Number(m[1]);
    if (slot < kFirstData) continue;
    handles[slot] = await h.createSyncAccessHandle();
    mod._p9o_slot_exists(slot);
    ++found;
  }
  const rc = mod._p9o_open_store();
  const text = mod.UTF8ToString(mod._p9o_message());
  if (rc < 0) throw new Error(text);
  M = mod;
  post({type: 'ready', report: `${text}; ${found} data files found`, store});
  topUp();
  pump();
}

// Creates data files until the pool holds its target (p9o_pool_wanted() == 0).
// Runs between requests: each await lets queued requests through, except
// while the pool is empty (pump() waits for the next file then).
async function topUp() {
  if (topping || !M) return;
  topping = true;
  try {
    while (M._p9o_pool_wanted() > 0) {
      const slot = M._p9o_pool_next_slot();
      handles[slot] = await openHandle('d' + slot);
      M._p9o_pool_add(slot);
      pump();
    }
  } catch (e) {
    log(`pool top-up stopped: ${e && e.name}: ${e && e.message}`);
  } finally {
    topping = false;
  }
  pump();
}

// {type:'bench', id, options} -> {type:'reply', id, results}: the benchmarks
// of opfs/bench/bench.js, run here between requests (nothing else is handled
// meanwhile), on this store.
let benching = false;
async function bench(m) {
  benching = true;
  try {
    importScripts('bench.js');
    const results = await self.p9bench.run({M, dir, handles}, m.options, log);
    post({type: 'reply', id: m.id, results});
  } catch (e) {
    post({type: 'reply', id: m.id, error: `bench: ${e && e.message ? e.message : e}`});
  } finally {
    benching = false;
    pump();
  }
}

function pump() {
  while (queue.length > 0) {
    if (!M && !failed) return;  // still opening
    if (M && topping && M._p9o_pool_empty()) return;  // the top-up calls pump() again
    if (benching) return;  // bench() calls pump() again
    const m = queue.shift();
    if (failed) {
      if (m.type.startsWith('ws-')) m.conn.ws.close(1011, failed.slice(0, 100));
      else if (m.type !== 'close') post({type: m.type === 'open' ? 'opened' : 'reply', id: m.id, error: failed});
      continue;
    }
    if (m.type === 'bench') {
      bench(m);
      return;
    }
    handle(m);
    if (!M) continue;  // shut down
    M._p9o_idle();
    if (!topping && M._p9o_pool_wanted() > 0) topUp();
  }
}

// The scratch file's slot: far above any store slot.
const kCheckSlot = 0x7ffffff0;
let checkDir = null;
function checkFiles(m) {
  const h = checkDir && checkDir.handle;
  if (!h) {
    post({type: 'checked', id: m.id, rc: -5, text: 'no scratch file'});
    return;
  }
  handles[kCheckSlot] = h;
  const rc = M._p9o_check_files(kCheckSlot, m.bytes);
  delete handles[kCheckSlot];
  try {
    h.truncate(0);  // a failed write may have left bytes that count against the quota
  } catch (e) {
    log(`scratch file: ${e.name}`);
  }
  post({type: 'checked', id: m.id, rc, text: M.UTF8ToString(M._p9o_message())});
}

// Opens the scratch file for check-files (asynchronous, so before the
// request is queued: prepareCheck() then the request).
async function prepareCheck(store) {
  const root = await self.navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle('p9opfs', {create: true});
  const d = await top.getDirectoryHandle('.check-' + store, {create: true});
  const f = await d.getFileHandle('scratch', {create: true});
  checkDir = {dir: d, handle: await f.createSyncAccessHandle()};
}

// Server.close(): the store durable and let go, so that another context (the
// page after a reload, another tab) can open it at once. Sync access handles
// hold the files until closed (File System Standard, close()); the lock goes
// with its callback's promise.
function shutdown(m) {
  const rc = M._p9o_close_store();
  const error = rc < 0 ? `p9o_close_store: ${M.UTF8ToString(M._p9o_message())}` : undefined;
  for (const h of handles) {
    try {
      if (h) h.close();
    } catch (e) {
      log(`close: ${e && e.name}: ${e && e.message}`);
    }
  }
  handles.length = 0;
  failed = 'the store was closed (Server.close())';
  M = null;
  if (releaseLock) releaseLock();
  post({type: 'reply', id: m.id, error});
}

function end(c, code, reason) {
  if (c.closed) return;
  c.closed = true;
  if (c.session > 0) M._p9o_session_close(c.session);
  if (c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING) c.ws.close(code, reason);
}

// One request frame of a session -> its reply, in a buffer of its own (null
// for an unknown session). An Rread's data goes straight from the data
// file's sync access handle into that buffer (p9o_handle_direct, api.h): the
// bytes are never copied through wasm memory.
function serve(session, bytes) {
  const at = M._p9o_buffer(bytes.length);
  M.HEAPU8.set(bytes, at);  // HEAPU8 read after p9o_buffer: memory may have grown
  const n = M._p9o_handle_direct(session, bytes.length);
  if (n < 0) return null;
  const from = M._p9o_reply();
  const count = M._p9o_direct_count();
  if (count < 0) return M.HEAPU8.slice(from, from + n);
  const out = new Uint8Array(n);  // zeros: what a file shorter than its size reads as
  out.set(M.HEAPU8.subarray(from, from + 11));  // size[4] type[1] tag[2] count[4]
  try {
    handles[M._p9o_direct_slot()].read(out.subarray(11), {at: M._p9o_direct_offset()});
  } catch (e) {
    // Rlerror EIO in place of the Rread: size[4]=11 type[1]=7 tag[2] ecode[4]=5.
    log(`read of slot ${M._p9o_direct_slot()}: ${e && e.name}: ${e && e.message}`);
    const err = new Uint8Array(11);
    const dv = new DataView(err.buffer);
    dv.setUint32(0, 11, true);
    dv.setUint8(4, 7);
    err.set(out.subarray(5, 7), 5);
    dv.setUint32(7, 5, true);
    return err;
  }
  return out;
}

function handle(m) {
  if (m.type === 'open') {
    const session = M._p9o_session_open();
    if (session < 0) post({type: 'opened', id: m.id, error: `p9o_session_open: ${session}`});
    else post({type: 'opened', id: m.id, session, msize: M._p9o_session_msize(session)});
  } else if (m.type === 'frame') {
    const out = serve(m.session, new Uint8Array(m.bytes));
    if (!out) {
      post({type: 'reply', id: m.id, error: `no session ${m.session}`});
      return;
    }
    post({type: 'reply', id: m.id, bytes: out.buffer, msize: M._p9o_session_msize(m.session)}, [out.buffer]);
  } else if (m.type === 'close') {
    M._p9o_session_close(m.session);
  } else if (m.type === 'shutdown') {
    shutdown(m);
  } else if (m.type === 'check-files') {
    checkFiles(m);
  } else if (m.type === 'ws-open') {
    m.conn.session = M._p9o_session_open();
  } else if (m.type === 'ws-frame') {
    const c = m.conn;
    if (c.closed || c.session <= 0) return;
    if (!(m.bytes instanceof ArrayBuffer)) {
      end(c, 1003, 'binary 9P frames only');  // 1003: a data type it cannot accept
      return;
    }
    const bytes = new Uint8Array(m.bytes);
    if (bytes.length > M._p9o_session_msize(c.session)) {
      end(c, 1009, 'frame above msize');
      return;
    }
    const out = serve(c.session, bytes);
    if (out && c.ws.readyState === WebSocket.OPEN) c.ws.send(out);
  } else if (m.type === 'ws-close') {
    end(m.conn, 1000, '');
  } else {
    log(`unknown message type '${m.type}'`);
  }
}
