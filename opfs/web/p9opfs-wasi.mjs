// A preopen directory on the OPFS store for users of @bjorn3/browser_wasi_shim:
// passed in the `fds` array of its WASI class exactly where
// `new PreopenDirectory('/sandbox', ...)` would go, backed by our WASI Host
// (reference/wasi/, linked into the OPFS module) over the store, so the files
// persist in the origin's Origin Private File System and every file-system
// rule is the Host's (the same answers as over the model: conformance/wasi/).
//
//   // in a dedicated worker, after importScripts('p9opfs-wasm.js', 'store.js')
//   import {WASI, File, OpenFile, ConsoleStdout} from './browser_wasi_shim/index.js';
//   import {openPreopen} from './p9opfs-wasi.mjs';
//   const sandbox = await openPreopen({store: 'home', dir: 'sandbox', name: '/sandbox'});
//   const wasi = new WASI(args, env, [new OpenFile(new File([])), ConsoleStdout.lineBuffered(console.log),
//                                     ConsoleStdout.lineBuffered(console.warn), sandbox]);
//   const {instance} = await WebAssembly.instantiate(bytes, {wasi_snapshot_preview1: wasi.wasiImport});
//   wasi.start(instance);
//   await sandbox.close();   // everything durable, the store's lock released
//
// browser_wasi_shim's WASI class keeps its own fd table and calls methods of
// the object at each fd (its dist/fd.js, class Fd: fd_read(size) -> {ret,
// data}, path_open(...) -> {ret, fd_obj}, ...). Each method here forwards to
// the Host through the same wasi_snapshot_preview1 import object our own
// runner uses (reference/wasi/node/imports.mjs hostImports), its "program
// memory" a scratch memory of this module; the fds path_open gives are objects
// of the same class, each naming one fd of the Host. Two of the WASI class's
// calls are spelled differently by the shim, and are mapped back:
//  - path_link(old_fd, ..., new_fd, new_path) is path_lookup on old_fd, then
//    path_link(new_path, inode, false) on new_fd: path_lookup returns a token
//    naming (fd, flags, path), and path_link makes the Host's path_link;
//  - path_rename(fd, old, new_fd, new) is path_unlink(old) on fd, then
//    path_link(new, inode, true) on new_fd, and on failure path_link(old,
//    inode, true) on fd to put it back (the shim throws when that fails):
//    path_unlink removes nothing and returns a token, the first path_link
//    makes the Host's path_rename, and the putting back after a failed rename
//    succeeds without doing anything (nothing was moved).
// What the WASI class answers itself (path_symlink: ENOTSUP; fd_advise: no
// call; fd_datasync: fd_sync; fd 0-2; fd_renumber; readlink into a short
// buffer) stays the shim's: conformance/wasi/deviations.md, host
// shim_on_p9opfs.
//
// The store: `store` is a store name (started here: P9OpfsStore.start, which
// holds the store's Web Lock until close()) or an open P9OpfsStore.Store
// (e.g. the OPFS server's own, opfs/web/worker.js). A new file's first write
// takes an empty data file from the store's pool, which is topped up between
// turns of the worker's event loop; wasi.start(instance) runs the whole
// program in one turn, so `pool` (default 256) is how many new files holding
// data one run can make before ENOSPC (opfs/README.md, "Data").
import {hostImports, initHost} from './imports.mjs';

const E = {SUCCESS: 0, BADF: 8, XDEV: 75};

// The scratch memory the import object reads and writes as the program's:
// a bump allocator, reset before each call.
class Scratch {
  constructor() {
    this.memory = new WebAssembly.Memory({initial: 2});
    this.at = 0;
  }
  reset() { this.at = 0; }
  alloc(n) {
    const p = (this.at + 7) & ~7;
    this.at = p + n;
    const need = this.at - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    return p;
  }
  bytes(p, n) { return new Uint8Array(this.memory.buffer, p, n); }
  view() { return new DataView(this.memory.buffer); }
  put(bytes) {
    const p = this.alloc(bytes.length);
    this.bytes(p, bytes.length).set(bytes);
    return p;
  }
}

// A structure the WASI class writes to the program with write_bytes(view,
// ptr): the Host's own bytes ($fdstat, $filestat, $prestat, $dirent).
function raw(bytes, more = {}) {
  return {...more, write_bytes(view, ptr) { new Uint8Array(view.buffer, ptr, bytes.length).set(bytes); }};
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function classes(Base) {
  class P9OpfsFd extends Base {
    // conn: {W (the import functions), s (Scratch)}; fd: the Host's fd.
    constructor(conn, fd) {
      super();
      this._c = conn;
      this._fd = fd;
    }
    // Calls W[name](this fd, ...args) with scratch reset; out(s) reads results.
    _call(build) {
      const {W, s} = this._c;
      s.reset();
      return build(W, s);
    }
    _path(s, path) {
      const b = enc.encode(path);
      return [s.put(b), b.length];
    }
    _out(name, size, args = []) {
      return this._call((W, s) => {
        const p = s.alloc(size);
        const ret = W[name](this._fd, ...args, p);
        return {ret, bytes: ret === 0 ? s.bytes(p, size).slice() : null, s};
      });
    }

    fd_allocate(offset, len) { return this._c.W.fd_allocate(this._fd, offset, len); }
    fd_close() { return this._c.W.fd_close(this._fd); }
    fd_sync() { return this._c.W.fd_sync(this._fd); }
    fd_fdstat_get() {
      const r = this._out('fd_fdstat_get', 24);
      return {ret: r.ret, fdstat: r.bytes && raw(r.bytes)};
    }
    fd_fdstat_set_flags(flags) { return this._c.W.fd_fdstat_set_flags(this._fd, flags); }
    fd_fdstat_set_rights(base, inheriting) { return this._c.W.fd_fdstat_set_rights(this._fd, base, inheriting); }
    fd_filestat_get() {
      const r = this._out('fd_filestat_get', 64);
      return {ret: r.ret, filestat: r.bytes && raw(r.bytes)};
    }
    fd_filestat_set_size(size) { return this._c.W.fd_filestat_set_size(this._fd, size); }
    fd_filestat_set_times(atim, mtim, flags) { return this._c.W.fd_filestat_set_times(this._fd, atim, mtim, flags); }
    fd_prestat_get() {
      return this._call((W, s) => {
        const p = s.alloc(8);
        const ret = W.fd_prestat_get(this._fd, p);
        if (ret !== 0) return {ret, prestat: null};
        const head = s.bytes(p, 8).slice();
        const len = new DataView(head.buffer).getUint32(4, true);
        const q = s.alloc(len);
        const r2 = W.fd_prestat_dir_name(this._fd, q, len);
        if (r2 !== 0) return {ret: r2, prestat: null};
        return {ret: 0, prestat: raw(head, {inner: {pr_name: s.bytes(q, len).slice()}})};
      });
    }
    // One iovec of `size` bytes; extra: fd_pread's offset.
    _read(name, size, extra) {
      return this._call((W, s) => {
        const buf = s.alloc(size), iov = s.alloc(8), n = s.alloc(4);
        s.view().setUint32(iov, buf, true);
        s.view().setUint32(iov + 4, size, true);
        const ret = W[name](this._fd, iov, 1, ...extra, n);
        if (ret !== 0) return {ret, data: new Uint8Array()};
        return {ret, data: s.bytes(buf, s.view().getUint32(n, true)).slice()};
      });
    }
    _write(name, data, extra) {
      return this._call((W, s) => {
        const buf = s.put(data), iov = s.alloc(8), n = s.alloc(4);
        s.view().setUint32(iov, buf, true);
        s.view().setUint32(iov + 4, data.length, true);
        const ret = W[name](this._fd, iov, 1, ...extra, n);
        return {ret, nwritten: ret === 0 ? s.view().getUint32(n, true) : 0};
      });
    }
    fd_read(size) { return this._read('fd_read', size, []); }
    fd_pread(size, offset) { return this._read('fd_pread', size, [offset]); }
    fd_write(data) { return this._write('fd_write', data, []); }
    fd_pwrite(data, offset) { return this._write('fd_pwrite', data, [offset]); }
    // The entry at `cookie` (null at the end), read with the Host's
    // fd_readdir into a buffer that holds at least one whole entry.
    fd_readdir_single(cookie) {
      for (let size = 24 + 512;; size *= 2) {
        const r = this._call((W, s) => {
          const buf = s.alloc(size), used = s.alloc(4);
          const ret = W.fd_readdir(this._fd, buf, size, cookie, used);
          return {ret, bytes: ret === 0 ? s.bytes(buf, s.view().getUint32(used, true)).slice() : null};
        });
        if (r.ret !== 0) return {ret: r.ret, dirent: null};
        if (r.bytes.length < 24) return {ret: 0, dirent: null};
        const v = new DataView(r.bytes.buffer);
        const namlen = v.getUint32(16, true);
        if (r.bytes.length < 24 + namlen) continue;  // the name was cut: a larger buffer
        const head = r.bytes.slice(0, 24), name = r.bytes.slice(24, 24 + namlen);
        return {ret: 0, dirent: {
          d_next: v.getBigUint64(0, true),
          head_length: () => 24,
          name_length: () => namlen,
          write_head_bytes(view, ptr) { new Uint8Array(view.buffer, ptr, 24).set(head); },
          write_name_bytes(view8, ptr, len) { view8.set(name.slice(0, Math.min(namlen, len)), ptr); },
        }};
      }
    }
    fd_seek(offset, whence) {
      const r = this._out('fd_seek', 8, [offset, whence]);
      return {ret: r.ret, offset: r.bytes ? new DataView(r.bytes.buffer).getBigUint64(0, true) : 0n};
    }
    fd_tell() {
      const r = this._out('fd_tell', 8);
      return {ret: r.ret, offset: r.bytes ? new DataView(r.bytes.buffer).getBigUint64(0, true) : 0n};
    }

    path_create_directory(path) {
      return this._call((W, s) => W.path_create_directory(this._fd, ...this._path(s, path)));
    }
    path_filestat_get(flags, path) {
      return this._call((W, s) => {
        const [p, n] = this._path(s, path), at = s.alloc(64);
        const ret = W.path_filestat_get(this._fd, flags, p, n, at);
        return {ret, filestat: ret === 0 ? raw(s.bytes(at, 64).slice()) : null};
      });
    }
    path_filestat_set_times(flags, path, atim, mtim, fst) {
      return this._call((W, s) => W.path_filestat_set_times(this._fd, flags, ...this._path(s, path), atim, mtim, fst));
    }
    path_lookup(path, flags) { return {ret: 0, inode_obj: {p9opfs: 'link', fd: this._fd, flags, path, conn: this._c}}; }
    path_unlink(path) { return {ret: 0, inode_obj: {p9opfs: 'rename', fd: this._fd, path, conn: this._c, tried: false}}; }
    path_link(path, inode) {
      if (!inode || inode.conn !== this._c) return E.XDEV;  // another file system's inode
      if (inode.p9opfs === 'rename') {
        if (inode.tried) return E.SUCCESS;  // putting back after a failed rename: nothing moved
        inode.tried = true;
        return this._call((W, s) => W.path_rename(inode.fd, ...this._path(s, inode.path), this._fd, ...this._path(s, path)));
      }
      return this._call(
          (W, s) => W.path_link(inode.fd, inode.flags, ...this._path(s, inode.path), this._fd, ...this._path(s, path)));
    }
    path_open(dirflags, path, oflags, base, inheriting, fdflags) {
      return this._call((W, s) => {
        const [p, n] = this._path(s, path), at = s.alloc(4);
        const ret = W.path_open(this._fd, dirflags, p, n, oflags, base, inheriting, fdflags, at);
        return {ret, fd_obj: ret === 0 ? new P9OpfsFd(this._c, s.view().getUint32(at, true)) : null};
      });
    }
    path_readlink(path) {
      return this._call((W, s) => {
        const [p, n] = this._path(s, path), size = 4096, buf = s.alloc(size), used = s.alloc(4);
        const ret = W.path_readlink(this._fd, p, n, buf, size, used);
        return {ret, data: ret === 0 ? dec.decode(s.bytes(buf, s.view().getUint32(used, true))) : null};
      });
    }
    path_remove_directory(path) {
      return this._call((W, s) => W.path_remove_directory(this._fd, ...this._path(s, path)));
    }
    path_unlink_file(path) { return this._call((W, s) => W.path_unlink_file(this._fd, ...this._path(s, path))); }
  }
  return P9OpfsFd;
}

// The preopen: a P9OpfsFd for the Host's fd 3 (the store's directory /dir,
// made when absent, shown to the program as `name`), with close(). Options:
// store (a name, or an open P9OpfsStore.Store), dir, name, pool, and Fd: a
// base class for every fd object (browser_wasi_shim's Fd, so that
// `instanceof Fd` holds; default Object).
export async function openPreopen({store = 'wasi', dir = 'sandbox', name = '/sandbox', pool = 256, Fd = Object} = {}) {
  let own = false;
  if (typeof store === 'string') {
    if (!self.P9OpfsStore) {
      throw new Error('p9opfs-wasi.mjs: P9OpfsStore is not defined (importScripts("p9opfs-wasm.js", "store.js") first)');
    }
    store = self.P9OpfsStore.start(store, {pool});
    own = true;
  } else if (pool) {
    store.setPoolTarget(pool);
  }
  await store.ready;
  await store.poolFull();
  const M = store.M;
  M.p9wOutput = () => {};  // fds 1 and 2 are the shim's own objects
  initHost(M, dir, name);
  const s = new Scratch();
  const host = hostImports(M, {});
  host.start({exports: {memory: s.memory, _start() {}}});  // the import object's "program memory": the scratch
  const P9OpfsFd = classes(Fd);
  const preopen = new P9OpfsFd({W: host.imports.wasi_snapshot_preview1, s}, 3);
  // Everything durable; a store started here is let go (its lock released).
  preopen.close = () => (own ? store.close() : Promise.resolve());
  preopen.store = store;
  return preopen;
}
