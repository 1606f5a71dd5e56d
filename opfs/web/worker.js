// The OPFS server's dedicated worker, driven from a page by p9opfs.js: the
// messages below over one store.js Store (the wasm module over the store's
// files in the Origin Private File System; the Web Lock, the pool of data
// files and the queue of requests live there).
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
//   {type:'wasi', id, wasm, args, env, dir, preopen, shim}
//                                          -> {type:'reply', id, status, stdout, stderr, check}:
//                                             runs a WASI preview1 program (wasm: its bytes)
//                                             here, nothing else meanwhile, its preopen the
//                                             store's directory /dir (made when absent);
//                                             shim: through browser_wasi_shim's WASI class
//                                             (served as shim/index.js) with our preopen
//                                             (p9opfs-wasi.mjs) in its fds
//   {type:'serve-ws', url}                 the worker opens a WebSocket to url and
//                                          serves one 9P connection over it itself
//                                          (one frame per binary message, both ways)
// Messages out besides the replies: {type:'ready', report}, {type:'error', text}
// (the store cannot be served), {type:'log', text}. A request that cannot be
// served gets {type:'reply' or 'opened', id, error}.
'use strict';
importScripts('p9opfs-wasm.js', 'store.js');

let store = null;  // P9OpfsStore.Store, from the 'start' message on

function post(msg, transfer) { self.postMessage(msg, transfer || []); }
function log(text) { post({type: 'log', text: String(text)}); }

// The answer to a request that cannot be served.
function refuse(m, text) {
  if (m.type === 'open') post({type: 'opened', id: m.id, error: text});
  else if (m.type === 'check-files') post({type: 'checked', id: m.id, rc: -5, text});
  else if (m.type !== 'close') post({type: 'reply', id: m.id, error: text});
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') {
    store = P9OpfsStore.start(String(m.store || 'default'), {
      log,
      onready: (report) => post({type: 'ready', report, store: store.name}),
      onfail: (text) => post({type: 'error', text}),
    });
    return;
  }
  if (!store) {
    refuse(m, 'no store: the first message must be {type: "start"}');
    return;
  }
  if (m.type === 'serve-ws') {
    serveWebSocket(m.url);
    return;
  }
  if (m.type === 'check-files') {
    const go = () => store.submit(() => checkFiles(m), (text) => refuse(m, text));
    if (checkDir) go();
    else prepareCheck(store.name).then(go, (e) => refuse(m, String(e)));
    return;
  }
  if (m.type === 'bench') {
    store.exclusive(() => bench(m), (text) => refuse(m, text));
    return;
  }
  if (m.type === 'wasi') {
    store.exclusive(() => (m.shim ? runShim(m) : runWasi(m)), (text) => refuse(m, text));
    return;
  }
  store.submit(() => handle(m), (text) => refuse(m, text));
};

// A 9P connection over a WebSocket the worker holds: its frames join the same
// queue as the page's requests. A message longer than the session's msize
// closes the socket with 1009 "message too big" (RFC 6455 section 7.4.1).
function serveWebSocket(url) {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const conn = {ws, session: 0, closed: false};
  const refused = (text) => {
    conn.closed = true;
    ws.close(1011, text.slice(0, 100));  // 1011: an unexpected condition
  };
  ws.onopen = () => store.submit(() => { conn.session = store.sessionOpen(); }, refused);
  ws.onmessage = (e) => store.submit(() => wsFrame(conn, e.data), refused);
  ws.onclose = () => store.submit(() => end(conn, 1000, ''), () => {});
  ws.onerror = () => {};
}

function end(c, code, reason) {
  if (c.closed) return;
  c.closed = true;
  if (c.session > 0) store.sessionClose(c.session);
  if (c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING) c.ws.close(code, reason);
}

function wsFrame(c, data) {
  if (c.closed || c.session <= 0) return;
  if (!(data instanceof ArrayBuffer)) {
    end(c, 1003, 'binary 9P frames only');  // 1003: a data type it cannot accept
    return;
  }
  const bytes = new Uint8Array(data);
  if (bytes.length > store.msize(c.session)) {
    end(c, 1009, 'frame above msize');
    return;
  }
  const out = store.serve(c.session, bytes);
  if (out && c.ws.readyState === WebSocket.OPEN) c.ws.send(out);
}

// {type:'bench', id, options} -> {type:'reply', id, results}: the benchmarks
// of opfs/bench/bench.js, run here with nothing else handled meanwhile, on
// this store.
async function bench(m) {
  try {
    importScripts('bench.js');
    const results = await self.p9bench.run({M: store.M, dir: store.dir, handles: store.handles}, m.options, log);
    post({type: 'reply', id: m.id, results});
  } catch (e) {
    post({type: 'reply', id: m.id, error: `bench: ${e && e.message ? e.message : e}`});
  }
}

// A WASI program on this store: the import object is
// reference/wasi/node/imports.mjs's over this module (the Host and its C API,
// reference/wasi/node/api.cc, are linked into it and make the Host on the
// store: wasm/main.cc). stdout and stderr are collected; status is the exit
// status (134 when the program traps, as p9wasi); check is the store's
// invariants after the run ("" when they hold).
//
// A new file's first write takes an empty data file from the pool, which is
// topped up asynchronously (store.js). The program runs with JSPI
// (WebAssembly.Suspending/promising, the WebAssembly JS Promise Integration
// proposal, in Chromium since 137): a call made while the pool is empty first
// waits for the top-up, the program's stack suspended meanwhile; so a program
// can create any number of files. Without JSPI the pool is filled first and a
// program can write at most that many new files (then ENOSPC).
async function runWasi(m) {
  const M = store.M;
  const out = {1: [], 2: []};
  let status, threw = '';
  const lines = [];  // m.trace: the WASI call trace (trace.mjs)
  try {
    const {initHost, hostImports, Exit} = await import('./imports.mjs');
    M.p9wOutput = (fd, bytes) => out[fd === 2 ? 2 : 1].push(bytes);
    const preopen = m.preopen || '/sandbox';
    initHost(M, String(m.dir || 'wasi'), preopen);
    if (m.trace) {
      const {traceHeader} = await import('./trace.mjs');
      lines.push(...traceHeader({host: 'p9wasi (OPFS store, Chromium worker)', preopen, program: (m.args || []).join(' ')}));
    }
    const host = hostImports(M, {args: m.args || [], env: m.env || {}, trace: m.trace ? (l) => lines.push(l) : undefined});
    // m.load: entries to make in the preopen first (reference/wasi/node/tree.mjs);
    // m.noPreopen: the program starts without one (fd 3 closed).
    if (m.load) host.loadEntries(m.load);
    if (m.noPreopen) host.closePreopen();
    const jspi = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
    let imports = host.imports;
    if (jspi) {
      const wrapped = {};
      for (const [name, f] of Object.entries(imports.wasi_snapshot_preview1)) {
        wrapped[name] = new WebAssembly.Suspending(
            (...a) => (store.M._p9o_pool_empty() ? store.poolFull().then(() => f(...a)) : f(...a)));
      }
      imports = {wasi_snapshot_preview1: wrapped};
    } else {
      await store.poolFull();
    }
    const {instance} = await WebAssembly.instantiate(m.wasm, imports);
    if (jspi) {
      // host.start() takes the program's memory and calls _start; with JSPI
      // _start is promising(...) and gives a promise, awaited here (a
      // proc_exit rejects it with imports.mjs's Exit).
      const run = WebAssembly.promising(instance.exports._start);
      let pending = null;
      host.start({exports: {memory: instance.exports.memory, _start: () => { pending = run(); }}});
      try {
        await pending;
        status = 0;
      } catch (e) {
        if (!(e instanceof Exit)) throw e;
        status = e.code;
      }
    } else {
      status = host.start(instance);
    }
  } catch (e) {
    threw = `p9wasi: ${e && e.stack ? e.stack : e}\n`;
    status = 134;
  }
  wasiDone(m, status, out, threw, M.UTF8ToString(M._p9w_check()), m.trace ? lines.join('\n') + '\n' : undefined);
}

// The reply to a 'wasi' message: out[1], out[2] the bytes written to fds 1, 2;
// check: the invariants of the store the program ran on ("" when they hold).
function wasiDone(m, status, out, threw, check, trace) {
  const join = (list) => {
    const all = new Uint8Array(list.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of list) {
      all.set(b, at);
      at += b.length;
    }
    return all;
  };
  const dec = new TextDecoder();
  post({type: 'reply', id: m.id, status, stdout: dec.decode(join(out[1])), stderr: dec.decode(join(out[2])) + threw,
        check, trace});
}

// The same program through @bjorn3/browser_wasi_shim's own WASI class (its
// dist/ served beside this file as shim/), our OPFS preopen in its fds where
// a PreopenDirectory would be (p9opfs-wasi.mjs), its own objects on fds 0-2
// (an empty stdin, ConsoleStdout for 1 and 2), as a user of the shim writes
// it: the preopen opens a store of its own by name (this store's name +
// ".shim", its Web Lock held until preopen.close()), as in a user's worker.
// A JavaScript value the shim throws out of a call ends the program: status
// 70 and "host threw: ..." on stderr (as conformance/wasi/hosts/browser_wasi_shim.mjs).
async function runShim(m) {
  const out = {1: [], 2: []};
  let status, threw = '', check = 'no store';
  try {
    const shim = await import('./shim/index.js');
    const {openPreopen} = await import('./p9opfs-wasi.mjs');
    const preopen = await openPreopen({store: store.name + '.shim', dir: String(m.dir || 'wasi'), name: m.preopen || '/sandbox',
                                       Fd: shim.Fd});
    const fds = [new shim.OpenFile(new shim.File([])), new shim.ConsoleStdout((b) => out[1].push(b.slice())),
                 new shim.ConsoleStdout((b) => out[2].push(b.slice())), preopen];
    const wasi = new shim.WASI(m.args || [], [], fds);
    const {instance} = await WebAssembly.instantiate(m.wasm, {wasi_snapshot_preview1: wasi.wasiImport});
    try {
      status = wasi.start(instance);
    } catch (e) {
      threw = `host threw: ${e instanceof Error ? e.message : String(e)}\n`;
      status = 70;
    }
    const M = preopen.store.M;
    check = M.UTF8ToString(M._p9w_check());
    await preopen.close();
  } catch (e) {
    threw = `p9opfs: ${e && e.stack ? e.stack : e}\n`;
    status = 125;
  }
  wasiDone(m, status, out, threw, check);
}

// The scratch file's slot: far above any store slot.
const kCheckSlot = 0x7ffffff0;
let checkDir = null;
function checkFiles(m) {
  const h = checkDir && checkDir.handle;
  if (!h) {
    refuse(m, 'no scratch file');
    return;
  }
  const M = store.M;
  store.handles[kCheckSlot] = h;
  const rc = M._p9o_check_files(kCheckSlot, m.bytes);
  delete store.handles[kCheckSlot];
  try {
    h.truncate(0);  // a failed write may have left bytes that count against the quota
  } catch (e) {
    log(`scratch file: ${e.name}`);
  }
  post({type: 'checked', id: m.id, rc, text: M.UTF8ToString(M._p9o_message())});
}

// Opens the scratch file for check-files (asynchronous, so before the
// request is queued: prepareCheck() then the request).
async function prepareCheck(name) {
  const root = await self.navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle('p9opfs', {create: true});
  const d = await top.getDirectoryHandle('.check-' + name, {create: true});
  const f = await d.getFileHandle('scratch', {create: true});
  checkDir = {dir: d, handle: await f.createSyncAccessHandle()};
}

// Server.close(): the store durable and let go (Store.closeNow), so that
// another context (the page after a reload, another tab) can open it at once.
function shutdown(m) {
  const error = store.closeNow();
  post({type: 'reply', id: m.id, error: error || undefined});
}

function handle(m) {
  if (m.type === 'open') {
    const session = store.sessionOpen();
    if (session < 0) post({type: 'opened', id: m.id, error: `p9o_session_open: ${session}`});
    else post({type: 'opened', id: m.id, session, msize: store.msize(session)});
  } else if (m.type === 'frame') {
    const out = store.serve(m.session, new Uint8Array(m.bytes));
    if (!out) {
      post({type: 'reply', id: m.id, error: `no session ${m.session}`});
      return;
    }
    post({type: 'reply', id: m.id, bytes: out.buffer, msize: store.msize(m.session)}, [out.buffer]);
  } else if (m.type === 'close') {
    store.sessionClose(m.session);
  } else if (m.type === 'shutdown') {
    shutdown(m);
  } else {
    log(`unknown message type '${m.type}'`);
  }
}
