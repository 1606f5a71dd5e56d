// store.js: the OPFS 9P server inside a dedicated worker. worker.js (the
// server's own worker, driven from a page by p9opfs.js) is built on it, and so
// can a worker of your own that runs the 9P client in the same thread: v86 in
// a worker then has its handle9p answered synchronously, with no message to
// another thread per request (README.md, "Linux in the browser").
//
//   importScripts('p9opfs-wasm.js', 'store.js', 'libv86.js');
//   const store = P9OpfsStore.start('home', {log: (t) => console.log(t)});
//   const emu = new V86({filesystem: {handle9p: store.handle9p}, ...});
//   ...
//   await store.close();     // durable, files and lock released
//
// Requests wait in one queue until the store is open, and while the pool of
// data files is empty (the files are created asynchronously, between
// requests); otherwise each is answered at once, in the caller's own call.
// The wasm side is synchronous (opfs/wasm/api.h); the module is
// p9opfs-wasm.js, built by opfs/CMakeLists.txt with -sMODULARIZE (a factory
// P9Opfs) and loaded before this file.
'use strict';

(function () {
// Slots and names: opfs/store/files.h (journal, checkpoint.0, checkpoint.1 are
// slots 0, 1, 2; data file "d<N>" is slot N >= 3).
const kFirstData = 3;
const fixedSlots = ['journal', 'checkpoint.0', 'checkpoint.1'];

class Store {
  // Starts opening store NAME (p9opfs/NAME/ in the origin's OPFS). Options:
  // log(text), onready(report), onfail(text) (the store cannot be served),
  // pool (how many empty data files to keep ready, 16 unless given: see
  // setPoolTarget).
  constructor(name, {log, onready, onfail, pool} = {}) {
    this.name = String(name);
    this.log = log || ((t) => console.log(`p9opfs: ${t}`));
    this.handles = [];     // slot -> FileSystemSyncAccessHandle (Module.p9oHandles)
    this.M = null;         // the module, once the store is open
    this.dir = null;       // the store's directory, p9opfs/<store>/
    this.failed = null;    // why nothing is served
    this.report = '';
    this.step = 'starting';  // what opening the store waits for, while it does
    this._queue = [];      // jobs not run yet, in arrival order
    this._topping = false; // a pool top-up is running
    this._paused = false;  // an exclusive job is running
    this._pumping = false; // pump() is running
    this._releaseLock = null;
    this._session = 0;     // handle9p's session
    this._pool = pool || 0;  // the pool's target, once open (0: the module's own)
    this._poolWaiters = [];  // poolFull()'s
    this.ready = new Promise((resolve, reject) => {
      this._ready = {resolve, reject};
    });
    this.ready.catch(() => {});  // a caller need not wait for it
    this._onready = onready || (() => {});
    this._onfail = onfail || (() => {});
    this.handle9p = (reqbuf, reply) => this._handle9p(reqbuf, reply);
    this._start();
  }

  // One store is served by one context; a second one (another tab, a second
  // worker) must not open the same files: a sync access handle is exclusive
  // (WHATWG File System Standard, createSyncAccessHandle():
  // "NoModificationAllowedError" when the file is locked), and the Web Lock
  // makes that refusal explicit and early (W3C Web Locks API,
  // LockManager.request() with ifAvailable: the callback gets null when the
  // lock is held elsewhere). The lock is held until close() settles its
  // callback's promise.
  _start() {
    const name = this.name;
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
      this._fail(`bad store name '${name}' (letters, digits, '.', '_', '-')`);
      return;
    }
    if (!self.navigator.locks || !self.navigator.storage || !self.navigator.storage.getDirectory) {
      this._fail('this context has no Web Locks or no Origin Private File System (a secure context is needed)');
      return;
    }
    this.step = 'the Web Lock';
    self.navigator.locks.request('p9opfs:' + name, {ifAvailable: true}, async (lock) => {
      if (!lock) {
        this._fail('store in use by another context');
        return;
      }
      try {
        await this._open();
      } catch (e) {
        this._fail(`cannot open store '${name}': ${e && e.message ? e.message : e}`);
        return;
      }
      await new Promise((r) => { this._releaseLock = r; });
    });
  }

  _fail(text) {
    this.failed = text;
    this._ready.reject(new Error(text));
    this._onfail(text);
    this.pump();  // answers what is queued with the error
  }

  async _openHandle(name) {
    this.step = `getFileHandle(${name})`;
    const fh = await this._guarded(this.step, () => this.dir.getFileHandle(name, {create: true}));
    this.step = `createSyncAccessHandle(${name})`;
    const h = await this._guarded(this.step, () => fh.createSyncAccessHandle(), (late) => late.close());
    this.step = 'idle';
    return h;
  }

  // Waits for the OPFS call start() starts; when it has not settled after
  // kStallMs, starts it again (at most kTries calls in all, each one kept) and
  // takes whichever settles first; what another call gives later goes to
  // discard() (a sync access handle holds its file's lock and is closed).
  // Rejects when every call made has failed. Why: with v86 running in the
  // same worker, a getFileHandle() of the pool top-up was seen never to settle
  // in Chromium 156 (traces/v86/README.md, "Stalled OPFS calls"); the store
  // then waited forever with the guest's requests queued behind it. Every
  // repeat is logged, so a run shows whether it happened.
  _guarded(what, start, discard) {
    const kStallMs = 2000, kTries = 5;
    return new Promise((resolve, reject) => {
      let settled = false, made = 0, failed = 0, timer = null;
      const t0 = performance.now();
      const call = () => {
        const n = ++made;
        start().then((v) => {
          if (settled) {
            if (discard) Promise.resolve().then(() => discard(v)).catch(() => {});
            return;
          }
          settled = true;
          clearTimeout(timer);
          if (made > 1) this.log(`${what}: call ${n} of ${made} settled after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          resolve(v);
        }, (e) => {
          if (settled) return;
          if (++failed === made) {
            settled = true;
            clearTimeout(timer);
            reject(e);
          }
        });
        if (made < kTries) {
          timer = setTimeout(() => {
            if (settled) return;
            this.log(`${what}: no answer after ${((performance.now() - t0) / 1000).toFixed(1)} s; calling again (${made + 1} of at most ${kTries})`);
            call();
          }, kStallMs);
        }
      };
      call();
    });
  }

  async _open() {
    this.step = 'the OPFS root directory';
    const root = await self.navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle('p9opfs', {create: true});
    this.dir = await top.getDirectoryHandle(this.name, {create: true});
    const log = this.log;
    this.step = 'the wasm module';
    const mod = await P9Opfs({
      p9oHandles: this.handles,
      p9oOnError: (slot, e) => log(`slot ${slot}: ${e && e.name}: ${e && e.message}`),
      print: (t) => log(t),
      printErr: (t) => log(t),
    });
    for (let s = 0; s < fixedSlots.length; ++s) this.handles[s] = await this._openHandle(fixedSlots[s]);
    // Every existing data file "d<N>".
    let found = 0;
    this.step = 'the list of data files';
    const it = this.dir.entries();
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const name = r.value[0], h = r.value[1];
      const m = /^d(0|[1-9][0-9]*)$/.exec(name);
      if (!m || h.kind !== 'file') continue;
      const slot = Number(m[1]);
      if (slot < kFirstData) continue;
      this.handles[slot] = await h.createSyncAccessHandle();
      mod._p9o_slot_exists(slot);
      ++found;
    }
    const rc = mod._p9o_open_store();
    const text = mod.UTF8ToString(mod._p9o_message());
    if (rc < 0) throw new Error(text);
    this.M = mod;
    if (this._pool) mod._p9o_pool_target(this._pool);
    this.step = 'open';
    this.report = `${text}; ${found} data files found`;
    this._retire();  // data files no record claims, released by the start-up
    this._ready.resolve(this);
    this._onready(this.report);
    this._topUp();
    this.pump();
  }

  // Creates data files until the pool holds its target (p9o_pool_wanted() ==
  // 0). Runs between requests: each await lets queued requests through, except
  // while the pool is empty (pump() waits for the next file then).
  async _topUp() {
    if (this._topping || !this.M) return;
    this._topping = true;
    try {
      while (this.M && this.M._p9o_pool_wanted() > 0) {
        const slot = this.M._p9o_pool_next_slot();
        this.handles[slot] = await this._openHandle('d' + slot);
        if (!this.M) break;  // closed meanwhile
        this.M._p9o_pool_add(slot);
        this.pump();
      }
    } catch (e) {
      this.log(`pool top-up stopped: ${e && e.name}: ${e && e.message}`);
    } finally {
      this._topping = false;
      for (const w of this._poolWaiters.splice(0)) w();
    }
    this.pump();
  }

  // How many empty data files the pool keeps ready. A new regular file takes
  // one at its first write, and the pool is topped up only between calls into
  // the module: a caller that runs many calls in one turn of the worker (a
  // WASI program on browser_wasi_shim runs from _start to its end in one
  // call) can write at most this many new files in that turn (then ENOSPC).
  setPoolTarget(n) {
    this._pool = n;
    if (this.M) {
      this.M._p9o_pool_target(n);
      this._topUp();
    }
  }

  // Resolves when the pool holds its target (or its top-up failed: logged).
  poolFull() {
    if (this.M && this.M._p9o_pool_wanted() === 0) return Promise.resolve();
    return this.ready.then(() => new Promise((resolve) => {
      if (!this.M || this.M._p9o_pool_wanted() === 0) return resolve();
      this._poolWaiters.push(resolve);
      this._topUp();
    }));
  }

  // Closes and removes the data files the store released (p9o_pool_retired,
  // opfs/wasm/api.h): the handle is closed here, the file removed by the
  // browser without waiting for it (FileSystemDirectoryHandle.removeEntry()).
  // A removal that fails is tried again twice (the file's lock may not be
  // released yet), then left to the next start-up, which empties the file.
  _retire() {
    for (let s = this.M._p9o_pool_retired(); s >= 0; s = this.M._p9o_pool_retired()) {
      const h = this.handles[s], name = 'd' + s;
      this.handles[s] = undefined;
      try {
        // Truncated before it is closed and removed (no flush: nothing reuses
        // it). Removed with its bytes, the origin had no room left after a
        // restart in Chromium 156 (opfs.fill failed; the reopened page's
        // navigator.storage.estimate() said usage 4290771140, 2^32 minus about
        // 4 MiB, the removed file's size); truncated first, opfs.fill passes.
        if (h) {
          h.truncate(0);
          h.close();
        }
      } catch (e) {
        this.log(`closing ${name}: ${e && e.name}: ${e && e.message}`);
      }
      const dir = this.dir;
      const remove = (tries) => dir.removeEntry(name).catch((e) => {
        if (tries > 1) return new Promise((r) => setTimeout(r, 200)).then(() => remove(tries - 1));
        this.log(`removing ${name}: ${e && e.name}: ${e && e.message} (emptied at the next start-up)`);
      });
      remove(3);
    }
  }

  // Runs run() when the store can serve, after every job given before it;
  // fail(text) instead when it cannot be served. Both are called with the
  // store's module usable (this.M) or not at all.
  submit(run, fail) {
    this._queue.push({run, fail: fail || ((t) => this.log(t)), since: performance.now()});
    this.pump();
  }

  // What the queue waits for, for a watchdog: {queued, waitedMs (the oldest
  // job), topping, step (the asynchronous call under way), poolWanted}.
  status() {
    const head = this._queue[0];
    return {queued: this._queue.length, waitedMs: head ? performance.now() - head.since : 0, topping: this._topping,
            step: this.step, poolWanted: this.M ? this.M._p9o_pool_wanted() : null};
  }

  // As submit(), but nothing else runs until the promise run() returns settles
  // (the benchmarks of opfs/bench/bench.js, which use the module themselves).
  exclusive(run, fail) {
    this.submit(() => {
      this._paused = true;
      Promise.resolve().then(run).finally(() => {
        this._paused = false;
        this.pump();
      });
    }, fail);
  }

  pump() {
    if (this._pumping) return;  // a job submitted a job: the loop below runs it
    this._pumping = true;
    try {
      this._drain();
    } finally {
      this._pumping = false;
    }
  }

  _drain() {
    while (this._queue.length > 0) {
      if (!this.M && !this.failed) return;  // still opening
      if (this.M && this._topping && this.M._p9o_pool_empty()) return;  // _topUp() calls pump() again
      if (this._paused) return;  // exclusive() calls pump() again
      const job = this._queue.shift();
      if (this.failed) {
        job.fail(this.failed);
        continue;
      }
      job.run();
      if (!this.M) continue;  // closed
      this._retire();
      this.M._p9o_idle();
      if (!this._topping && this.M._p9o_pool_wanted() > 0) this._topUp();
    }
  }

  // The calls below are for jobs (the module is usable).

  // A new 9P connection (not yet versioned): its id, or a negative number.
  sessionOpen() { return this.M._p9o_session_open(); }
  sessionClose(session) { this.M._p9o_session_close(session); }
  msize(session) { return this.M._p9o_session_msize(session); }

  // One request frame of a session -> its reply, in a buffer of its own (null
  // for an unknown session). An Rread's data goes straight from the data
  // file's sync access handle into that buffer (p9o_handle_direct, api.h): the
  // bytes are never copied through wasm memory.
  serve(session, bytes) {
    const M = this.M;
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
      this.handles[M._p9o_direct_slot()].read(out.subarray(11), {at: M._p9o_direct_offset()});
    } catch (e) {
      // Rlerror EIO in place of the Rread: size[4]=11 type[1]=7 tag[2] ecode[4]=5.
      this.log(`read of slot ${M._p9o_direct_slot()}: ${e && e.name}: ${e && e.message}`);
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

  // v86's filesystem.handle9p(reqbuf, reply) (v86 docs/filesystem.md; lib/9p.js
  // Virtio9pHandler keeps the request's buffers by tag before the call, so a
  // reply given within the call is taken): one connection, the guest's. reqbuf
  // may be longer than its frame; the frame's size[4] says where it ends.
  _handle9p(reqbuf, reply) {
    const size = new DataView(reqbuf.buffer, reqbuf.byteOffset, reqbuf.byteLength).getUint32(0, true);
    const frame = reqbuf.subarray(0, Math.min(size, reqbuf.length));
    this.submit(() => {
      if (this._session <= 0) this._session = this.sessionOpen();
      const out = this._session > 0 ? this.serve(this._session, frame) : null;
      if (out) reply(out);
      else this.log(`handle9p: no session (${this._session})`);
    }, (text) => this.log(`handle9p: ${text}`));
  }

  // Lets the store go, after the jobs given before: every session ended,
  // everything made durable (p9o_close_store), every sync access handle closed
  // (they hold the files until closed: File System Standard, close()), the
  // lock released (another context, or the page after a reload, can open the
  // store at once). Later jobs are refused.
  close() {
    return new Promise((resolve, reject) => {
      this.submit(() => {
        const error = this.closeNow();
        if (error) reject(new Error(error));
        else resolve();
      }, (text) => reject(new Error(text)));
    });
  }

  // The same, from within a job, at once: an error text, or null.
  closeNow() {
    const M = this.M;
    const rc = M._p9o_close_store();
    const error = rc < 0 ? `p9o_close_store: ${M.UTF8ToString(M._p9o_message())}` : null;
    for (const h of this.handles) {
      try {
        if (h) h.close();
      } catch (e) {
        this.log(`close: ${e && e.name}: ${e && e.message}`);
      }
    }
    this.handles.length = 0;
    this.failed = 'the store was closed';
    this.M = null;
    if (this._releaseLock) this._releaseLock();
    return error;
  }
}

self.P9OpfsStore = {
  Store,
  start: (name, options) => new Store(name, options),
};
})();
