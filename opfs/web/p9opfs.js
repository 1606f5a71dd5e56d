// The OPFS 9P server for a page: startServer() starts the dedicated worker
// (worker.js) that runs the server over the Origin Private File System and
// answers 9P2000.L frames. Types: p9opfs.d.ts.
//
//   const server = await startServer({store: 'home'});
//   const s = server.session();                 // one 9P connection
//   const reply = await s.handle(frame);        // one request frame -> its reply frame
//   new V86({filesystem: {handle9p: server.handle9p}})   // v86's handle9p(reqbuf, reply)
//   server.serveWebSocket(ws)                   // one 9P message per WebSocket message
//   server.serveWebSocketUrl(url)               // the same, the socket opened and served by the worker
//   await server.writeFile('notes.txt', bytes); await server.readFile('notes.txt'); await server.list('');
import {Client9p, readFile, writeFile, list} from './client9p.js';

export {Client9p, Error9p} from './client9p.js';

export function startServer({store = 'default', url} = {}) {
  const worker = new Worker(url || new URL('./worker.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const server = new Server(worker, store);
    server._started = {resolve, reject};
    worker.postMessage({type: 'start', store});
  });
}

export class Server {
  constructor(worker, store) {
    this.worker = worker;
    this.store = store;
    this.report = '';
    this.onlog = (text) => console.log(`p9opfs: ${text}`);
    this._next = 1;
    this._pending = new Map();  // request id -> {resolve, reject}
    this._helper = null;        // the helpers' session, attached
    this._default = null;       // handle9p's session
    this.handle9p = (reqbuf, reply) => this._handle9p(reqbuf, reply);
    worker.onmessage = (e) => this._receive(e.data);
    worker.onerror = (e) => this._fail(`worker: ${e.message || e}`);
  }

  _receive(m) {
    if (m.type === 'ready') {
      this.report = m.report;
      if (this._started) this._started.resolve(this);
      this._started = null;
    } else if (m.type === 'error') {
      this._fail(m.text);
    } else if (m.type === 'log') {
      this.onlog(m.text);
    } else {
      const p = this._pending.get(m.id);
      if (!p) return;
      this._pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m);
    }
  }

  _fail(text) {
    this.error = text;
    if (this._started) {  // never started: the worker goes (and its lock request with it)
      this._started.reject(new Error(text));
      this.worker.terminate();
    }
    this._started = null;
    for (const p of this._pending.values()) p.reject(new Error(text));
    this._pending.clear();
  }

  _request(msg, transfer) {
    if (this.error) return Promise.reject(new Error(this.error));
    const id = this._next++;
    msg.id = id;
    return new Promise((resolve, reject) => {
      this._pending.set(id, {resolve, reject});
      this.worker.postMessage(msg, transfer || []);
    });
  }

  // A new 9P connection (not yet versioned).
  session() { return new Session(this); }

  // v86's filesystem.handle9p(reqbuf, reply): one connection, the guest's.
  _handle9p(reqbuf, reply) {
    if (!this._default) this._default = this.session();
    this._default.handle(reqbuf).then(reply, (e) => this.onlog(`handle9p: ${e.message}`));
  }

  // Serves one 9P connection over a WebSocket: each binary message is one
  // whole request frame, each reply is sent as one binary message (what v86's
  // filesystem.proxy_url speaks). A message longer than the session accepts
  // (its msize) closes the socket with 1009, "message too big" (RFC 6455
  // section 7.4.1).
  serveWebSocket(ws) {
    ws.binaryType = 'arraybuffer';
    const s = this.session();
    let open = true;
    ws.addEventListener('message', (e) => {
      if (!open) return;
      if (!(e.data instanceof ArrayBuffer)) {
        open = false;
        ws.close(1003, 'binary 9P frames only');  // RFC 6455 section 7.4.1: 1003 unsupported data
        s.close();
        return;
      }
      const frame = new Uint8Array(e.data);
      if (frame.length > s.msize) {
        open = false;
        ws.close(1009, 'frame above msize');
        s.close();
        return;
      }
      s.handle(frame, true).then((reply) => {
        if (open && ws.readyState === 1) ws.send(reply);
      }, (err) => {
        if (!open) return;
        open = false;
        ws.close(1011, String(err.message).slice(0, 100));  // 1011: unexpected condition
      });
    });
    ws.addEventListener('close', () => {
      open = false;
      s.close();
    });
    return s;
  }

  // The same, but the worker opens the WebSocket to `url` and serves it
  // itself: the frames do not pass through the page's thread.
  serveWebSocketUrl(url) {
    this.worker.postMessage({type: 'serve-ws', url: String(url)});
  }

  async _client() {
    if (!this._helper) {
      this._helper = (async () => {
        const s = this.session();
        const c = new Client9p((f) => s.handle(f, true));
        await c.version(1 << 20);
        await c.attach(0, 'root', '', 0);
        let fid = 0;
        return {c, next: () => ++fid};
      })();
    }
    return this._helper;
  }
  async readFile(path) { const h = await this._client(); return readFile(h.c, 0, h.next, path); }
  async writeFile(path, bytes) { const h = await this._client(); return writeFile(h.c, 0, h.next, path, bytes); }
  async list(path = '') { const h = await this._client(); return list(h.c, 0, h.next, path); }

  // The benchmarks of opfs/bench/bench.js, run in the worker on this store.
  async bench(options) { return (await this._request({type: 'bench', options})).results; }

  // Runs a WASI preview1 program (its bytes) in the worker on this store: its
  // preopen (fd 3, named `preopen`) is the store's directory /dir, made when
  // absent and kept. {status, stdout, stderr, check} (check: the store's
  // invariants after the run, "" when they hold). shim: run it through
  // browser_wasi_shim's WASI class (served beside worker.js as shim/) with
  // our preopen (p9opfs-wasi.mjs) in its fds.
  // trace: also answer `trace`, the WASI call trace of the run
  // (reference/wasi/README.md "Traces"; p9wasi-replay replays it natively).
  // load: entries made in the preopen first (reference/wasi/node/tree.mjs);
  // noPreopen: the program starts without a preopen.
  async runWasi(wasm, {args = [], env = {}, dir = 'wasi', preopen = '/sandbox', shim = false, trace = false, load,
                       noPreopen = false} = {}) {
    const m = await this._request({type: 'wasi', wasm, args, env, dir, preopen, shim, trace, load, noPreopen});
    return {status: m.status, stdout: m.stdout, stderr: m.stderr, check: m.check, trace: m.trace};
  }

  // A self-check of the wasm side's file calls (JsFiles, library.js) on a
  // scratch OPFS file outside the store: {rc, text}, rc 0 or -errno
  // (-28 ENOSPC when the origin's quota is exceeded).
  async checkFiles(bytes) {
    const m = await this._request({type: 'check-files', bytes});
    return {rc: m.rc, text: m.text};
  }

  // Lets the store go: the requests given before it answered, every session
  // ended, everything made durable, the files and the lock released (a page
  // about to reload, or handing the store to another tab), then the worker
  // ends. terminate() stops at once: what was not yet durable may be lost.
  async close() {
    try {
      await this._request({type: 'shutdown'});
    } finally {
      this.terminate();
    }
  }

  terminate() {
    this.worker.terminate();
    this._fail('terminated');
  }
}

export class Session {
  constructor(server) {
    this.server = server;
    this.msize = 0xffffffff;  // until the worker says
    this.closed = false;
    this._id = server._request({type: 'open'}).then((m) => {
      this.msize = m.msize;
      return m.session;
    });
  }

  // One request frame -> its reply frame. The worker handles requests one at
  // a time in the order they were given (postMessage keeps the order), so a
  // pipelining caller may have several in flight. `mine` says the caller gives
  // up the frame's buffer (it is transferred to the worker, not copied).
  handle(frame, mine = false) {
    let buf = frame.buffer;
    if (!mine || frame.byteOffset !== 0 || frame.byteLength !== buf.byteLength) buf = frame.slice().buffer;
    return this._id.then(async (id) => {
      const m = await this.server._request({type: 'frame', session: id, bytes: buf}, [buf]);
      this.msize = m.msize;
      return new Uint8Array(m.bytes);
    });
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this._id.then((id) => this.server.worker.postMessage({type: 'close', session: id}), () => {});
  }
}
