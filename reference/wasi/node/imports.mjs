// The wasi_snapshot_preview1 import object over p9::wasi::Host built with
// Emscripten (p9wasi-host.js, reference/wasi/node/api.cc).
//
// The file calls go to the Host: this layer copies the program's strings,
// iovecs and output structures between the program's memory and the Host
// module's memory and knows no file-system rule (witx
// wasi_snapshot_preview1.witx gives each call's arguments; the layouts of
// $filestat, $fdstat, $prestat are the same bytes in both memories, both being
// wasm32 little-endian). The calls that are not about files, which wasi-libc
// programs need to start and stop (args_*, environ_*, clock_*, random_get,
// proc_exit, sched_yield, poll_oneoff), are answered here; the socket calls
// ask the Host's fd table (EBADF or ENOTSOCK); proc_raise answers ENOSYS.
//
//   const host = await createHost({hostJs: 'build/bin/p9wasi-host.js', args, env, preopen: '/sandbox'});
//   const {instance} = await WebAssembly.instantiate(bytes, host.imports);
//   const status = host.start(instance);   // the exit status
//
// createHost (node) loads the Host module and makes its store; hostImports
// is the same import object over a module already loaded and initialised
// (p9w_init), e.g. the OPFS build's in a browser worker (opfs/web/worker.js):
// nothing below createHost needs node.

import {traced} from './trace.mjs';

const E = {SUCCESS: 0, BADF: 8, INVAL: 28, NOSYS: 52, FAULT: 21};

// proc_exit unwinds the program with this.
export class Exit {
  constructor(code) { this.code = code; }
}

function encodeStrings(list) {
  const enc = new TextEncoder();
  return list.map((s) => {
    const b = enc.encode(s);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    return z;
  });
}

// hostJs: the path of p9wasi-host.js (its .wasm beside it). The .wasm is read
// here and handed over as wasmBinary: Emscripten 3.1.6's loader would fetch()
// it when fetch exists, which node 18 and later have, and fetch takes no file
// path.
// trace(line): when given, called once per WASI call with one line
// (trace.mjs; the format is in reference/wasi/README.md, "Traces").
// preopen: the name the program sees for fd 3. write(fd, bytes): where fds 1
// and 2 go (default: this process's own 1 and 2).
export async function createHost({hostJs, args = [], env = {}, preopen = '/sandbox', write, trace} = {}) {
  const {default: fs} = await import('node:fs');
  const {createRequire} = await import('node:module');
  const factory = createRequire(import.meta.url)(hostJs);
  const wasmBinary = fs.readFileSync(hostJs.replace(/\.js$/, '.wasm'));
  const out = write || ((fd, bytes) => {
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
  });
  const H = await factory({wasmBinary, p9wOutput: (fd, bytes) => out(fd, bytes)});
  initHost(H, 'top', preopen);
  const {treeEntries} = await import('./tree.mjs');
  const host = hostImports(H, {args, env, trace});
  // Copies the host directory `dir` (its files, directories and symlinks;
  // nothing else) into the preopen before a program runs.
  host.load = (dir) => host.loadEntries(treeEntries(dir, {warn: (r) => {
    process.stderr.write(`p9wasi: --dir ${dir}: ${r}: not a file, directory or symlink: left out\n`);
  }}));
  return host;
}

// Makes module H's Host (p9w_init): its preopen the store's directory /dir
// (made when absent), shown to the program as `preopen`. Throws when it
// cannot be made.
export function initHost(H, dir, preopen = '/sandbox') {
  const enc = new TextEncoder();
  const d = enc.encode(dir + '\0'), n = enc.encode(preopen + '\0');
  const pd = H._p9w_alloc(d.length), pn = H._p9w_alloc(n.length);
  H.HEAPU8.set(d, pd);
  H.HEAPU8.set(n, pn);
  const err = H._p9w_init(pd, pn);
  H._p9w_free(pd);
  H._p9w_free(pn);
  if (err) throw new Error(`p9wasi: the store could not be made (WASI errno ${err})`);
}

// The import object over module H, whose Host initHost made. Output of fds
// 1 and 2 goes to H.p9wOutput(fd, bytes).
export function hostImports(H, {args = [], env = {}, trace} = {}) {
  let memory = null;  // the program's
  const mem = () => new Uint8Array(memory.buffer);
  const view = () => new DataView(memory.buffer);

  // Scratch space in the Host module, freed after each call.
  let scratch = [];
  function alloc(n) {
    const p = H._p9w_alloc(n);
    scratch.push(p);
    return p;
  }
  function release() {
    for (const p of scratch) H._p9w_free(p);
    scratch = [];
  }
  // The program's bytes [ptr, ptr+len) copied into the Host.
  function copyIn(ptr, len) {
    const p = alloc(len);
    H.HEAPU8.set(mem().subarray(ptr, ptr + len), p);
    return p;
  }
  // n bytes of the Host at p copied to the program at ptr.
  function copyOut(p, ptr, n) { mem().set(H.HEAPU8.subarray(p, p + n), ptr); }
  function iovecs(ptr, count) {
    const v = view(), list = [];
    for (let i = 0; i < count; ++i) {
      list.push([v.getUint32(ptr + 8 * i, true), v.getUint32(ptr + 8 * i + 4, true)]);
    }
    return list;
  }
  // A call whose results are `outs` [[programPtr, size]...]: scratch for each,
  // copied back to the program when the call succeeds.
  function call(fn, args, outs = []) {
    try {
      const places = outs.map(([, size]) => alloc(size));
      const err = fn(...args, ...places);
      if (err === 0) outs.forEach(([ptr, size], i) => copyOut(places[i], ptr, size));
      return err;
    } finally {
      release();
    }
  }
  function gatherWrite(fn, fd, iovs, count, extra, nptr) {
    try {
      const list = iovecs(iovs, count);
      const total = list.reduce((s, [, l]) => s + l, 0);
      const p = alloc(total), np = alloc(4);
      let at = p;
      for (const [b, l] of list) {
        H.HEAPU8.set(mem().subarray(b, b + l), at);
        at += l;
      }
      const err = fn(fd, p, total, ...extra, np);
      if (err === 0) copyOut(np, nptr, 4);
      return err;
    } finally {
      release();
    }
  }
  function scatterRead(fn, fd, iovs, count, extra, nptr) {
    try {
      const list = iovecs(iovs, count);
      const total = list.reduce((s, [, l]) => s + l, 0);
      const p = alloc(total), np = alloc(4);
      const err = fn(fd, p, total, ...extra, np);
      if (err !== 0) return err;
      let n = new DataView(H.HEAPU8.buffer).getUint32(np, true), at = p;
      copyOut(np, nptr, 4);
      for (const [b, l] of list) {
        const k = Math.min(l, n);
        copyOut(at, b, k);
        at += k;
        n -= k;
        if (n === 0) break;
      }
      return 0;
    } finally {
      release();
    }
  }

  const argv = encodeStrings(args);
  const envv = encodeStrings(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  function sizes(list, countPtr, sizePtr) {
    const v = view();
    v.setUint32(countPtr, list.length, true);
    v.setUint32(sizePtr, list.reduce((s, b) => s + b.length, 0), true);
    return E.SUCCESS;
  }
  function strings(list, ptrs, buf) {
    const v = view(), m = mem();
    list.forEach((b, i) => {
      v.setUint32(ptrs + 4 * i, buf, true);
      m.set(b, buf);
      buf += b.length;
    });
    return E.SUCCESS;
  }

  // Nanoseconds of a monotonic clock: process.hrtime under node, else
  // performance.now() (HR-Time; microseconds or coarser in a browser).
  const hrtime = globalThis.process && process.hrtime ? () => process.hrtime.bigint()
                                                      : () => BigInt(Math.round(performance.now() * 1e6));
  const start = hrtime();
  // The time of clock `id` in ns, null for no such clock.
  function now(id) {
    if (id === 0) return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
    if (id <= 3) return hrtime() - (id === 1 ? 0n : start);
    return null;
  }
  // witx poll_oneoff: $subscription 48 bytes (userdata u64 @0, tag u8 @8;
  // clock: id u32 @16, timeout u64 @24, flags u16 @40, abstime = 1; fd_read
  // and fd_write: fd u32 @16), $event 32 bytes (userdata u64 @0, error u16 @8,
  // type u8 @10, nbytes u64 @16). A descriptor of ours never blocks (files,
  // stdin at its end, stdout and stderr passed on), so each fd subscription
  // is an event at once (EBADF for a closed fd, from the Host's table); with
  // none, the call sleeps until the earliest clock and reports the clocks
  // that are due. Zero subscriptions: EINVAL (wasmtime's preview1).
  function pollOneoff(inp, outp, n, nevents) {
    if (n === 0) return E.INVAL;
    const v = view(), events = [];
    let wake = null;
    const clocks = [];
    for (let i = 0; i < n; ++i) {
      const s = inp + 48 * i, userdata = v.getBigUint64(s, true), tag = v.getUint8(s + 8);
      if (tag === 0) {
        const id = v.getUint32(s + 16, true), t = now(id);
        if (t === null) {
          events.push([userdata, E.INVAL, 0]);
          continue;
        }
        const timeout = v.getBigUint64(s + 24, true), abs = v.getUint16(s + 40, true) & 1;
        const due = abs ? timeout : t + timeout;
        clocks.push([userdata, id, due]);
        const wait = due > t ? due - t : 0n;
        if (wake === null || wait < wake) wake = wait;
      } else if (tag === 1 || tag === 2) {
        const fd = v.getUint32(s + 16, true);
        const p = H._p9w_alloc(24);
        const err = H._p9w_fd_fdstat_get(fd, p);
        H._p9w_free(p);
        events.push([userdata, err, tag]);
      } else {
        events.push([userdata, E.INVAL, tag]);
      }
    }
    if (!events.length && wake !== null) {
      if (wake > 0n) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(wake / 1000000n) + 1);
      for (const [userdata, id, due] of clocks) if (now(id) >= due) events.push([userdata, E.SUCCESS, 0]);
    }
    const w = view();
    events.forEach(([userdata, err, type], i) => {
      const e = outp + 32 * i;
      for (let k = 0; k < 32; k += 4) w.setUint32(e + k, 0, true);
      w.setBigUint64(e, userdata, true);
      w.setUint16(e + 8, err, true);
      w.setUint8(e + 10, type);
    });
    w.setUint32(nevents, events.length, true);
    return E.SUCCESS;
  }
  const wasi = {
    args_sizes_get: (c, s) => sizes(argv, c, s),
    args_get: (p, b) => strings(argv, p, b),
    environ_sizes_get: (c, s) => sizes(envv, c, s),
    environ_get: (p, b) => strings(envv, p, b),
    // witx $clockid: realtime 0, monotonic 1, process and thread CPU time 2, 3.
    clock_res_get: (id, res) => {
      if (id > 3) return E.INVAL;
      view().setBigUint64(res, 1000n, true);
      return E.SUCCESS;
    },
    clock_time_get: (id, _precision, time) => {
      const t = now(id);
      if (t === null) return E.INVAL;
      view().setBigUint64(time, t, true);
      return E.SUCCESS;
    },
    random_get: (buf, len) => {
      for (let off = 0; off < len; off += 65536) {
        globalThis.crypto.getRandomValues(mem().subarray(buf + off, buf + Math.min(len, off + 65536)));
      }
      return E.SUCCESS;
    },
    proc_exit: (code) => { throw new Exit(code); },
    proc_raise: () => E.NOSYS,
    sched_yield: () => E.SUCCESS,
    poll_oneoff: (inp, out, n, nevents) => pollOneoff(inp, out, n, nevents),
    // No descriptor is a socket: EBADF or ENOTSOCK, from the Host's fd table.
    sock_accept: (fd) => H._p9w_sock_call(fd),
    sock_recv: (fd) => H._p9w_sock_call(fd),
    sock_send: (fd) => H._p9w_sock_call(fd),
    sock_shutdown: (fd) => H._p9w_sock_call(fd),

    fd_advise: (fd, off, len, advice) => H._p9w_fd_advise(fd, off, len, advice),
    fd_allocate: (fd, off, len) => H._p9w_fd_allocate(fd, off, len),
    fd_close: (fd) => H._p9w_fd_close(fd),
    fd_datasync: (fd) => H._p9w_fd_datasync(fd),
    fd_sync: (fd) => H._p9w_fd_sync(fd),
    fd_fdstat_get: (fd, at) => call(H._p9w_fd_fdstat_get, [fd], [[at, 24]]),
    fd_fdstat_set_flags: (fd, flags) => H._p9w_fd_fdstat_set_flags(fd, flags),
    fd_fdstat_set_rights: (fd, b, i) => H._p9w_fd_fdstat_set_rights(fd, b, i),
    fd_filestat_get: (fd, at) => call(H._p9w_fd_filestat_get, [fd], [[at, 64]]),
    fd_filestat_set_size: (fd, size) => H._p9w_fd_filestat_set_size(fd, size),
    fd_filestat_set_times: (fd, a, m, f) => H._p9w_fd_filestat_set_times(fd, a, m, f),
    fd_read: (fd, iovs, n, nread) => scatterRead(H._p9w_fd_read, fd, iovs, n, [], nread),
    fd_pread: (fd, iovs, n, off, nread) => scatterRead(H._p9w_fd_pread, fd, iovs, n, [off], nread),
    fd_write: (fd, iovs, n, nw) => gatherWrite(H._p9w_fd_write, fd, iovs, n, [], nw),
    fd_pwrite: (fd, iovs, n, off, nw) => gatherWrite(H._p9w_fd_pwrite, fd, iovs, n, [off], nw),
    fd_prestat_get: (fd, at) => call(H._p9w_fd_prestat_get, [fd], [[at, 8]]),
    fd_prestat_dir_name: (fd, buf, len) => {
      try {
        const p = alloc(len);
        const err = H._p9w_fd_prestat_dir_name(fd, p, len);
        if (err === 0) copyOut(p, buf, len);
        return err;
      } finally {
        release();
      }
    },
    fd_readdir: (fd, buf, len, cookie, used) => {
      try {
        const p = alloc(len), up = alloc(4);
        const err = H._p9w_fd_readdir(fd, p, len, cookie, up);
        if (err === 0) {
          copyOut(p, buf, new DataView(H.HEAPU8.buffer).getUint32(up, true));
          copyOut(up, used, 4);
        }
        return err;
      } finally {
        release();
      }
    },
    fd_renumber: (from, to) => H._p9w_fd_renumber(from, to),
    fd_seek: (fd, off, whence, pos) => call(H._p9w_fd_seek, [fd, off, whence], [[pos, 8]]),
    fd_tell: (fd, pos) => call(H._p9w_fd_tell, [fd], [[pos, 8]]),

    path_create_directory: (fd, p, n) => call(H._p9w_path_create_directory, [fd, copyIn(p, n), n]),
    path_filestat_get: (fd, flags, p, n, at) =>
      call(H._p9w_path_filestat_get, [fd, flags, copyIn(p, n), n], [[at, 64]]),
    path_filestat_set_times: (fd, flags, p, n, a, m, f) =>
      call(H._p9w_path_filestat_set_times, [fd, flags, copyIn(p, n), n, a, m, f]),
    path_link: (ofd, oflags, op, on, nfd, np, nn) =>
      call(H._p9w_path_link, [ofd, oflags, copyIn(op, on), on, nfd, copyIn(np, nn), nn]),
    path_open: (fd, dirflags, p, n, oflags, base, inh, fdflags, opened) =>
      call(H._p9w_path_open, [fd, dirflags, copyIn(p, n), n, oflags, base, inh, fdflags], [[opened, 4]]),
    path_readlink: (fd, p, n, buf, len, used) => {
      try {
        const q = alloc(len), up = alloc(4);
        const err = H._p9w_path_readlink(fd, copyIn(p, n), n, q, len, up);
        if (err === 0) {
          copyOut(q, buf, new DataView(H.HEAPU8.buffer).getUint32(up, true));
          copyOut(up, used, 4);
        }
        return err;
      } finally {
        release();
      }
    },
    path_remove_directory: (fd, p, n) => call(H._p9w_path_remove_directory, [fd, copyIn(p, n), n]),
    path_rename: (ofd, op, on, nfd, np, nn) =>
      call(H._p9w_path_rename, [ofd, copyIn(op, on), on, nfd, copyIn(np, nn), nn]),
    path_symlink: (op, on, fd, np, nn) => call(H._p9w_path_symlink, [copyIn(op, on), on, fd, copyIn(np, nn), nn]),
    path_unlink_file: (fd, p, n) => call(H._p9w_path_unlink_file, [fd, copyIn(p, n), n]),
  };

  if (trace) traced(wasi, trace, () => memory);
  return {
    imports: {wasi_snapshot_preview1: wasi},
    module: H,
    // Runs the program's _start; returns its exit status (0 when _start
    // returns, proc_exit's code otherwise). A trap is thrown.
    start(instance) {
      memory = instance.exports.memory;
      try {
        instance.exports._start();
        return 0;
      } catch (e) {
        if (e instanceof Exit) return e.code;
        throw e;
      }
    },
    // The model's invariants: "" when they hold.
    check() { return H.UTF8ToString(H._p9w_check()); },
    // Closes fd 3: the program starts without a preopen.
    // Makes tree.mjs's entries (data: bytes, or base64 text) in the preopen,
    // through the Host's own calls. Throws, naming the entry, when one fails.
    loadEntries(entries) { loadEntries(H, entries); },
    closePreopen() {
      const err = H._p9w_fd_close(3);
      if (err) throw new Error(`p9wasi: the preopen could not be closed: WASI errno ${err}`);
    },
  };
}

// witx: $oflags creat 1, trunc 8; $rights fd_write 1 << 6.
const O_CREAT_TRUNC = 1 | 8, RIGHT_FD_WRITE = 1n << 6n;

function loadEntries(H, entries) {
  const enc = new TextEncoder();
  // fn(...pointers) with each byte array copied into the Host's memory.
  function withBytes(list, fn) {
    const ptrs = list.map((b) => {
      const p = H._p9w_alloc(b.length);
      H.HEAPU8.set(b, p);
      return p;
    });
    try {
      return fn(...ptrs);
    } finally {
      ptrs.forEach((p) => H._p9w_free(p));
    }
  }
  const check = (err, what, rel) => {
    if (err) throw new Error(`p9wasi: loading the preopen: ${what} ${rel}: ${H.UTF8ToString(H._p9w_errno_name(err))}`);
  };
  const bytesOf = (d) => (typeof d === 'string' ? Uint8Array.from(atob(d), (c) => c.charCodeAt(0)) : d);
  for (const e of entries) {
    const r = e.path, rb = enc.encode(r);
    if (e.kind === 'dir') {
      check(withBytes([rb], (p) => H._p9w_path_create_directory(3, p, rb.length)), 'mkdir', r);
    } else if (e.kind === 'symlink') {
      const tb = enc.encode(e.target);
      check(withBytes([tb, rb], (t, p) => H._p9w_path_symlink(t, tb.length, 3, p, rb.length)), 'symlink', r);
    } else {
      const data = bytesOf(e.data);
      withBytes([rb, new Uint8Array(4), data, new Uint8Array(4)], (p, fdp, d, np) => {
        check(H._p9w_path_open(3, 0, p, rb.length, O_CREAT_TRUNC, RIGHT_FD_WRITE, 0n, 0, fdp), 'create', r);
        const fd = new DataView(H.HEAPU8.buffer).getUint32(fdp, true);
        check(data.length ? H._p9w_fd_write(fd, d, data.length, np) : 0, 'write', r);
        check(H._p9w_fd_close(fd), 'close', r);
      });
    }
  }
}
