// The OPFS benchmarks, run inside the server's worker (worker.js loads this
// with importScripts on {type:'bench'}), so that the 9P server and raw
// sync-access-handle calls are measured side by side in the same thread:
//   - sequential 64 MiB write, then read, in 4 KiB and 1 MiB requests:
//     through the 9P server (p9o_handle: Twrite/Tread frames built in wasm
//     memory, the data copied in and out as a real transport does) vs raw
//     FileSystemSyncAccessHandle.write/read({at}) from a JS buffer;
//   - 4 KiB writes at random offsets into a 64 MiB file, both ways;
//   - 1,000 creates, 1,000 stats, one listing of them;
//   - the rename of a directory holding 10,000 files;
//   - the read-modify-write design (v86's lib/9p.js over an OPFS wrapper:
//     read the whole file, patch it, write it back, on every write),
//     re-implemented here on sync access handles (its fastest form), for a
//     16 MiB file in 4 KiB writes;
//   - the worker's wasm memory before and after 1 GiB written.
// Wire layouts: spec/messages.def; every integer little-endian (intro(5)).
'use strict';

self.p9bench = {
  async run(ctx, options, log) {
    const M = ctx.M;
    const o = Object.assign({seqMiB: 64, rmwMiB: 16, files: 1000, bigDir: 10000, memGiB: 1,
                             parts: ['seq', 'random', 'files', 'rename', 'rmw', 'memory']}, options || {});
    const part = (name) => o.parts.includes(name);
    const results = [];
    const now = () => performance.now();
    const record = (name, ms, bytes, extra) => {
      const r = {name, ms: Math.round(ms * 100) / 100};
      if (bytes) r.MBps = Math.round((bytes / (1 << 20)) / (ms / 1000) * 10) / 10;
      Object.assign(r, extra || {});
      results.push(r);
      log(`bench: ${name}: ${r.ms} ms${r.MBps ? `, ${r.MBps} MB/s` : ''}`);
    };

    // ---- a 9P session straight into the module ----
    const sid = M._p9o_session_open();
    let tag = 1;
    let direct = false;  // the next call goes through p9o_handle_direct
    let fidNext = 100;
    const heap = () => M.HEAPU8;
    const utf8 = new TextEncoder();
    // Builds a request of `bodyLen` bytes after the header; fill(dv, p) writes the body at p.
    // One DataView over wasm memory, made again only when the memory grows
    // (its ArrayBuffer is then replaced).
    let view = null;
    const dataView = () => {
      if (!view || view.buffer !== heap().buffer) view = new DataView(heap().buffer);
      return view;
    };
    function call(type, bodyLen, fill, want) {
      const len = 7 + bodyLen;
      const base = M._p9o_buffer(len);
      const dv = dataView();
      dv.setUint32(base, len, true);
      dv.setUint8(base + 4, type);
      dv.setUint16(base + 5, tag++ & 0x7fff, true);
      fill(dv, base + 7);
      const n = direct ? M._p9o_handle_direct(sid, len) : M._p9o_handle(sid, len);
      const rp = M._p9o_reply();
      const rdv = dataView();
      const rtype = rdv.getUint8(rp + 4);
      if (rtype !== want) {
        const err = rtype === 7 ? `errno ${rdv.getUint32(rp + 7, true)}` : `reply type ${rtype}`;
        throw new Error(`9P request type ${type} failed: ${err}`);
      }
      return {dv: rdv, p: rp + 7, n};
    }
    const strLen = (s) => 2 + utf8.encode(s).length;
    function putStr(dv, p, s) {
      const b = utf8.encode(s);
      dv.setUint16(p, b.length, true);
      heap().set(b, p + 2);
      return p + 2 + b.length;
    }
    const msize = (1 << 20) + 24;
    call(100, 4 + strLen('9P2000.L'), (dv, p) => { dv.setUint32(p, msize, true); putStr(dv, p + 4, '9P2000.L'); }, 101);
    const root = 1;
    call(104, 4 + 4 + strLen('root') + strLen('') + 4, (dv, p) => {
      dv.setUint32(p, root, true);
      dv.setUint32(p + 4, 0xffffffff, true);
      p = putStr(dv, p + 8, 'root');
      p = putStr(dv, p, '');
      dv.setUint32(p, 0, true);
    }, 105);
    const walk = (from, names) => {
      const nf = fidNext++;
      let len = 4 + 4 + 2;
      for (const n of names) len += strLen(n);
      call(110, len, (dv, p) => {
        dv.setUint32(p, from, true);
        dv.setUint32(p + 4, nf, true);
        dv.setUint16(p + 8, names.length, true);
        p += 10;
        for (let i = 0; i < names.length; ++i) p = putStr(dv, p, names[i]);
      }, 111);
      return nf;
    };
    const clunk = (fid) => call(120, 4, (dv, p) => dv.setUint32(p, fid, true), 121);
    const lcreate = (dirfid, name) => call(14, 4 + strLen(name) + 12, (dv, p) => {
      dv.setUint32(p, dirfid, true);
      p = putStr(dv, p + 4, name);
      dv.setUint32(p, 2, true);        // O_RDWR
      dv.setUint32(p + 4, 0o644, true);
      dv.setUint32(p + 8, 0, true);
    }, 15);
    const mkdir = (dirfid, name) => call(72, 4 + strLen(name) + 8, (dv, p) => {
      dv.setUint32(p, dirfid, true);
      p = putStr(dv, p + 4, name);
      dv.setUint32(p, 0o755, true);
      dv.setUint32(p + 4, 0, true);
    }, 73);
    const fsync = (fid) => call(50, 8, (dv, p) => { dv.setUint32(p, fid, true); dv.setUint32(p + 4, 0, true); }, 51);
    const unlink = (dirfid, name, flags) => call(76, 4 + strLen(name) + 4, (dv, p) => {
      dv.setUint32(p, dirfid, true);
      p = putStr(dv, p + 4, name);
      dv.setUint32(p, flags, true);
    }, 77);
    // Twrite: the data is copied into the request, as a transport's frame would be.
    const write = (fid, off, src) => call(118, 16 + src.length, (dv, p) => {
      dv.setUint32(p, fid, true);
      dv.setBigUint64(p + 4, BigInt(off), true);
      dv.setUint32(p + 12, src.length, true);
      heap().set(src, p + 16);
    }, 119);
    // Tread as the worker serves it (store.js serve()): with
    // p9o_handle_direct the data goes from the data file's handle straight
    // into the transport's buffer (here dst, after the 11-byte header).
    const read = (fid, off, dst) => {
      direct = true;
      const r = call(116, 16, (dv, p) => {
        dv.setUint32(p, fid, true);
        dv.setBigUint64(p + 4, BigInt(off), true);
        dv.setUint32(p + 12, dst.length - 11, true);
      }, 117);
      direct = false;
      const count = r.dv.getUint32(r.p, true);
      dst.set(heap().subarray(r.p - 7, r.p + 4));  // the header
      if (M._p9o_direct_count() >= 0) ctx.handles[M._p9o_direct_slot()].read(dst.subarray(11, 11 + count), {at: M._p9o_direct_offset()});
      else dst.set(heap().subarray(r.p + 4, r.p + 4 + count), 11);
      return count;
    };
    const newFile = (name) => {
      const f = walk(root, []);
      lcreate(f, name);
      return f;  // now open on the new file
    };

    const MiB = 1 << 20;
    const src = new Uint8Array(MiB);
    for (let i = 0; i < src.length; ++i) src[i] = (i * 2654435761) >>> 24;
    const dst = new Uint8Array(MiB + 11);  // a reply: header + data
    const rawFile = async (name) => {
      const fh = await ctx.dir.getFileHandle(name, {create: true});
      return fh.createSyncAccessHandle();
    };
    const rawDone = async (h, name) => {
      h.close();
      await ctx.dir.removeEntry(name);
    };

    // ---- sequential write then read, 4 KiB and 1 MiB ----
    const total = o.seqMiB * MiB;
    for (const req of part('seq') ? [4096, MiB] : []) {
      const label = req === MiB ? '1 MiB' : '4 KiB';
      const chunk = src.subarray(0, req);
      const into = dst.subarray(0, req);       // raw reads: the data alone
      const reply = dst.subarray(0, req + 11);  // 9P reads: the whole Rread
      // raw
      const h = await rawFile('bench-raw');
      let t = now();
      for (let off = 0; off < total; off += req) h.write(chunk, {at: off});
      h.flush();
      const rawW = now() - t;
      t = now();
      for (let off = 0; off < total; off += req) h.read(into, {at: off});
      const rawR = now() - t;
      await rawDone(h, 'bench-raw');
      // 9P
      const f = newFile(`seq-${req}`);
      t = now();
      for (let off = 0; off < total; off += req) write(f, off, chunk);
      fsync(f);
      const p9W = now() - t;
      t = now();
      for (let off = 0; off < total; off += req) read(f, off, reply);
      const p9R = now() - t;
      clunk(f);
      unlink(root, `seq-${req}`, 0);
      record(`raw write ${o.seqMiB} MiB in ${label}`, rawW, total);
      record(`9P write ${o.seqMiB} MiB in ${label}`, p9W, total, {ofRaw: Math.round(rawW / p9W * 100) / 100});
      record(`raw read ${o.seqMiB} MiB in ${label}`, rawR, total);
      record(`9P read ${o.seqMiB} MiB in ${label}`, p9R, total, {ofRaw: Math.round(rawR / p9R * 100) / 100});
    }

    // ---- 4 KiB writes at random offsets into a 64 MiB file ----
    if (part('random')) {
      const n = 4096, size = o.seqMiB * MiB;
      const offs = [];
      let x = 12345;
      for (let i = 0; i < n; ++i) {
        x = (x * 1103515245 + 12345) >>> 0;
        offs.push((x % (size / 4096)) * 4096);
      }
      const chunk = src.subarray(0, 4096);
      const h = await rawFile('bench-raw');
      h.truncate(size);
      let t = now();
      for (const off of offs) h.write(chunk, {at: off});
      h.flush();
      const raw = now() - t;
      await rawDone(h, 'bench-raw');
      const f = newFile('random');
      call(26, 4 + 4 + 4 * 3 + 8 * 5, (dv, p) => {  // Tsetattr size
        dv.setUint32(p, f, true);
        dv.setUint32(p + 4, 8, true);  // P9_ATTR_SIZE
        dv.setBigUint64(p + 20, BigInt(size), true);
      }, 27);
      t = now();
      for (const off of offs) write(f, off, chunk);
      fsync(f);
      const p9 = now() - t;
      clunk(f);
      unlink(root, 'random', 0);
      record(`raw ${n} random 4 KiB writes (64 MiB file)`, raw, n * 4096);
      record(`9P ${n} random 4 KiB writes (64 MiB file)`, p9, n * 4096, {ofRaw: Math.round(raw / p9 * 100) / 100});
    }

    // ---- creates, stats, a listing ----
    if (part('files')) {
      const d = walk(root, []);
      mkdir(d, 'many');
      const dir = walk(root, ['many']);
      let t = now();
      for (let i = 0; i < o.files; ++i) {
        const f = walk(dir, []);
        lcreate(f, `f${i}`);
        clunk(f);
      }
      record(`${o.files} creates`, now() - t);
      t = now();
      for (let i = 0; i < o.files; ++i) {
        const f = walk(dir, [`f${i}`]);
        call(24, 12, (dv, p) => { dv.setUint32(p, f, true); dv.setBigUint64(p + 4, 0x7ffn, true); }, 25);
        clunk(f);
      }
      record(`${o.files} stats (walk, getattr, clunk)`, now() - t);
      const l = walk(dir, []);
      call(12, 8, (dv, p) => { dv.setUint32(p, l, true); dv.setUint32(p + 4, 0o200000, true); }, 13);
      t = now();
      let entries = 0;
      for (let off = 0n; ;) {
        const r = call(40, 16, (dv, p) => {
          dv.setUint32(p, l, true);
          dv.setBigUint64(p + 4, off, true);
          dv.setUint32(p + 12, 65536, true);
        }, 41);
        const count = r.dv.getUint32(r.p, true);
        if (count === 0) break;
        // dirent: qid[13] offset[8] type[1] name[s]
        for (let q = r.p + 4; q < r.p + 4 + count;) {
          off = r.dv.getBigUint64(q + 13, true);
          q += 13 + 8 + 1 + 2 + r.dv.getUint16(q + 22, true);
          ++entries;
        }
      }
      record(`one listing of ${entries} entries`, now() - t);
      clunk(l);
      clunk(dir);
      clunk(d);
    }

    // ---- rename of a directory holding 10,000 files ----
    if (part('rename')) {
      const d = walk(root, []);
      mkdir(d, 'big');
      const dir = walk(root, ['big']);
      let t = now();
      for (let i = 0; i < o.bigDir; ++i) {
        const f = walk(dir, []);
        lcreate(f, `file-${i}`);
        clunk(f);
      }
      record(`${o.bigDir} creates (setting up the rename)`, now() - t);
      clunk(dir);
      const times = [];
      let from = 'big';
      for (let i = 0; i < 5; ++i) {
        const to = from === 'big' ? 'big-renamed' : 'big';
        t = now();
        call(74, 4 + strLen(from) + 4 + strLen(to), (dv, p) => {
          dv.setUint32(p, d, true);
          p = putStr(dv, p + 4, from);
          dv.setUint32(p, d, true);
          putStr(dv, p + 4, to);
        }, 75);
        times.push(now() - t);
        from = to;
      }
      times.sort((a, b) => a - b);
      record(`rename of a directory holding ${o.bigDir} files (median of 5)`, times[2], 0,
             {all: times.map((x) => Math.round(x * 100) / 100)});
      clunk(d);
    }

    // ---- the read-modify-write baseline, and ours, 16 MiB in 4 KiB ----
    if (part('rmw')) {
      const size = o.rmwMiB * MiB, req = 4096;
      const chunk = src.subarray(0, req);
      const h = await rawFile('bench-rmw');
      let t = now();
      for (let off = 0; off < size; off += req) {
        const cur = h.getSize();
        const whole = new Uint8Array(Math.max(cur, off + req));
        h.read(whole, {at: 0});
        whole.set(chunk, off);
        h.write(whole, {at: 0});
      }
      h.flush();
      const rmw = now() - t;
      await rawDone(h, 'bench-rmw');
      const f = newFile('rmw-ours');
      t = now();
      for (let off = 0; off < size; off += req) write(f, off, chunk);
      fsync(f);
      const ours = now() - t;
      clunk(f);
      unlink(root, 'rmw-ours', 0);
      record(`read-modify-write baseline: ${o.rmwMiB} MiB in 4 KiB writes`, rmw, size);
      record(`9P server: ${o.rmwMiB} MiB in 4 KiB writes`, ours, size, {timesFaster: Math.round(rmw / ours)});
    }

    // ---- memory after 1 GiB written ----
    if (part('memory')) {
      const before = heap().length;
      const f = newFile('gib');
      const t = now();
      for (let off = 0; off < o.memGiB * 1024 * MiB; off += MiB) write(f, off, src);
      fsync(f);
      const ms = now() - t;
      clunk(f);
      unlink(root, 'gib', 0);
      record(`9P write ${o.memGiB} GiB in 1 MiB`, ms, o.memGiB * 1024 * MiB,
             {wasmMemoryBeforeMiB: before / MiB, wasmMemoryAfterMiB: heap().length / MiB});
    }
    M._p9o_session_close(sid);
    return results;
  },
};
