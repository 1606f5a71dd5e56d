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
// proc_exit, sched_yield), are answered here; the socket calls, poll_oneoff and
// proc_raise answer ENOSYS.
//
//   const host = await createHost({hostJs: 'build/bin/p9wasi-host.js', args, env, preopen: '/sandbox'});
//   const {instance} = await WebAssembly.instantiate(bytes, host.imports);
//   const status = host.start(instance);   // the exit status
//
// createHost (node) loads the Host module and makes its store; hostImports
// is the same import object over a module already loaded and initialised
// (p9w_init), e.g. the OPFS build's in a browser worker (opfs/web/worker.js):
// nothing below createHost needs node.

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
// trace(line): when given, called once per WASI call with one line (the
// format is in reference/wasi/README.md, "Traces").
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
  return hostImports(H, {args, env, trace});
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
      let t;
      if (id === 0) {
        t = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
      } else if (id <= 3) {
        t = hrtime() - (id === 1 ? 0n : start);
      } else {
        return E.INVAL;
      }
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
    poll_oneoff: () => E.NOSYS,
    sock_accept: () => E.NOSYS,
    sock_recv: () => E.NOSYS,
    sock_send: () => E.NOSYS,
    sock_shutdown: () => E.NOSYS,

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

  if (trace) traced(wasi, trace, () => memory, (e) => H.UTF8ToString(H._p9w_errno_name(e)));
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
  };
}

// The (pointer, length) argument pairs that are paths, by call: shown as
// strings in a trace.
const PATH_ARGS = {
  path_create_directory: [1], path_filestat_get: [2], path_filestat_set_times: [2], path_link: [2, 5],
  path_open: [2], path_readlink: [1], path_remove_directory: [1], path_rename: [1, 4], path_symlink: [0, 3],
  path_unlink_file: [1],
};

// Wraps every call of `wasi` to report `SEQ NAME ARG... = ERRNO` (paths as
// JSON strings, other arguments as the numbers the program passed; ERRNO is
// the name reference/wasi/errno.def gives it, e.g. ESUCCESS, ENOENT).
// proc_exit reports `= exit STATUS`.
function traced(wasi, trace, memory, errnoName) {
  let seq = 0;
  const dec = new TextDecoder();
  for (const [name, fn] of Object.entries(wasi)) {
    const paths = PATH_ARGS[name] || [];
    wasi[name] = (...a) => {
      const shown = [];
      for (let i = 0; i < a.length; ++i) {
        if (paths.includes(i)) {
          const bytes = new Uint8Array(memory().buffer, a[i], a[i + 1]);
          shown.push(JSON.stringify(dec.decode(bytes)));
          ++i;
        } else {
          shown.push(String(a[i]));
        }
      }
      const head = `${++seq} ${name}${shown.length ? ' ' + shown.join(' ') : ''}`;
      if (name === 'proc_exit') {
        trace(`${head} = exit ${a[0]}`);
        return fn(...a);
      }
      const r = fn(...a);
      trace(`${head} = ${errnoName(r)}`);
      return r;
    };
  }
}
