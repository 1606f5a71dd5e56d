// A small 9P2000.L client: the messages the page's helpers need (version,
// attach, walk, lopen, lcreate, read, write, readdir, mkdir, getattr, clunk).
// Wire layouts: spec/messages.def (this repository); every integer is
// little-endian, a string is len[2] + UTF-8 bytes, a qid is type[1]
// version[4] path[8] (intro(5), Linux include/net/9p/9p.h).
// `send(frame: Uint8Array) -> Promise<Uint8Array>` carries one request and
// its reply (a Session of p9opfs.js, or a TCP connection in node).
// An ES module with no browser or node dependencies.

export const NOFID = 0xffffffff;
export const NOTAG = 0xffff;
// Linux open flags as 9P2000.L carries them (P9_DOTL_* = the x86 values).
export const O = {RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, TRUNC: 0o1000, DIRECTORY: 0o200000};
const T = {
  version: 100, attach: 104, lerror: 7, walk: 110, lopen: 12, lcreate: 14, read: 116, write: 118,
  readdir: 40, mkdir: 72, getattr: 24, clunk: 120,
};
export const IOHDRSZ = 24;  // size[4] type[1] tag[2] fid[4] offset[8] count[4] + 1 (Linux P9_IOHDRSZ)

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

class Writer {
  constructor() { this.parts = []; this.len = 0; }
  u8(v) { this.parts.push(['u8', v]); this.len += 1; return this; }
  u16(v) { this.parts.push(['u16', v]); this.len += 2; return this; }
  u32(v) { this.parts.push(['u32', v]); this.len += 4; return this; }
  u64(v) { this.parts.push(['u64', BigInt(v)]); this.len += 8; return this; }
  bytes(b) { this.parts.push(['bytes', b]); this.len += b.length; return this; }
  str(s) { const b = utf8.encode(s); return this.u16(b.length).bytes(b); }
  frame(type, tag) {
    const out = new Uint8Array(7 + this.len);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, out.length, true);
    dv.setUint8(4, type);
    dv.setUint16(5, tag, true);
    let p = 7;
    for (let i = 0; i < this.parts.length; ++i) {
      const [k, v] = this.parts[i];
      if (k === 'u8') { dv.setUint8(p, v); p += 1; }
      else if (k === 'u16') { dv.setUint16(p, v, true); p += 2; }
      else if (k === 'u32') { dv.setUint32(p, v >>> 0, true); p += 4; }
      else if (k === 'u64') { dv.setBigUint64(p, v, true); p += 8; }
      else { out.set(v, p); p += v.length; }
    }
    return out;
  }
}

class Reader {
  constructor(b) { this.b = b; this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength); this.p = 7; }
  need(n) { if (this.p + n > this.b.length) throw new Error('9P reply too short'); }
  u8() { this.need(1); return this.dv.getUint8(this.p++); }
  u16() { this.need(2); const v = this.dv.getUint16(this.p, true); this.p += 2; return v; }
  u32() { this.need(4); const v = this.dv.getUint32(this.p, true); this.p += 4; return v; }
  u64() { this.need(8); const v = this.dv.getBigUint64(this.p, true); this.p += 8; return v; }
  bytes(n) { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  str() { return utf8d.decode(this.bytes(this.u16())); }
  qid() { return {type: this.u8(), version: this.u32(), path: this.u64()}; }
}

export class Error9p extends Error {
  constructor(errno, what) {
    super(`${what}: Rlerror ${errno}`);
    this.errno = errno;
  }
}

export class Client9p {
  constructor(send) {
    this.send = send;
    this.tag = 0;
    this.msize = 0;
  }

  async call(type, w, what) {
    const tag = type === T.version ? NOTAG : (this.tag = (this.tag + 1) % NOTAG);
    const reply = await this.send(w.frame(type, tag));
    if (!reply || reply.length < 7) throw new Error(`${what}: no reply`);
    const r = new Reader(reply);
    const rtype = reply[4];
    if (rtype === T.lerror) throw new Error9p(r.u32(), what);
    if (rtype !== type + 1) throw new Error(`${what}: unexpected reply type ${rtype}`);
    if (r.dv.getUint16(5, true) !== tag) throw new Error(`${what}: reply on the wrong tag`);
    return r;
  }

  async version(msize = 65536) {
    const r = await this.call(T.version, new Writer().u32(msize).str('9P2000.L'), 'Tversion');
    this.msize = r.u32();
    const v = r.str();
    if (v !== '9P2000.L') throw new Error(`Tversion: server speaks ${v}`);
    return this.msize;
  }
  async attach(fid, uname = 'root', aname = '', nUname = 0) {
    const r = await this.call(T.attach, new Writer().u32(fid).u32(NOFID).str(uname).str(aname).u32(nUname), 'Tattach');
    return r.qid();
  }
  async walk(fid, newfid, names) {
    const w = new Writer().u32(fid).u32(newfid).u16(names.length);
    for (const n of names) w.str(n);
    const r = await this.call(T.walk, w, 'Twalk');
    const n = r.u16();
    const qids = [];
    for (let i = 0; i < n; ++i) qids.push(r.qid());
    // A partial walk leaves newfid unused (intro(5) walk): say which name failed.
    if (n < names.length) throw new Error9p(2 /* ENOENT */, `Twalk ${names.slice(0, n + 1).join('/')}`);
    return qids;
  }
  async lopen(fid, flags) {
    const r = await this.call(T.lopen, new Writer().u32(fid).u32(flags), 'Tlopen');
    return {qid: r.qid(), iounit: r.u32()};
  }
  async lcreate(fid, name, flags, mode = 0o644, gid = 0) {
    const r = await this.call(T.lcreate, new Writer().u32(fid).str(name).u32(flags).u32(mode).u32(gid), 'Tlcreate');
    return {qid: r.qid(), iounit: r.u32()};
  }
  async mkdir(dfid, name, mode = 0o755, gid = 0) {
    return (await this.call(T.mkdir, new Writer().u32(dfid).str(name).u32(mode).u32(gid), 'Tmkdir')).qid();
  }
  async read(fid, offset, count) {
    const r = await this.call(T.read, new Writer().u32(fid).u64(offset).u32(count), 'Tread');
    return r.bytes(r.u32()).slice();
  }
  async write(fid, offset, data) {
    const r = await this.call(T.write, new Writer().u32(fid).u64(offset).u32(data.length).bytes(data), 'Twrite');
    return r.u32();
  }
  // Entries: qid[13] offset[8] type[1] name[s] (spec/messages.def, Rreaddir).
  async readdir(fid, offset, count) {
    const r = await this.call(T.readdir, new Writer().u32(fid).u64(offset).u32(count), 'Treaddir');
    const end = r.p + 4 + r.u32();
    const out = [];
    while (r.p < end) out.push({qid: r.qid(), offset: r.u64(), type: r.u8(), name: r.str()});
    return out;
  }
  async getattr(fid, mask = 0x7ffn) {
    const r = await this.call(T.getattr, new Writer().u32(fid).u64(mask), 'Tgetattr');
    const valid = r.u64(), qid = r.qid(), mode = r.u32(), uid = r.u32(), gid = r.u32();
    const nlink = r.u64(), rdev = r.u64(), size = r.u64();
    return {valid, qid, mode, uid, gid, nlink, rdev, size};
  }
  async clunk(fid) {
    await this.call(T.clunk, new Writer().u32(fid), 'Tclunk');
  }
}

// Whole-file helpers over one attached client (root fid `root`); fids come
// from `nextFid()`. Paths are '/'-separated, relative to the attach root.
export function splitPath(path) {
  return path.split('/').filter((s) => s.length > 0 && s !== '.');
}

export async function readFile(c, root, nextFid, path) {
  const fid = nextFid();
  await c.walk(root, fid, splitPath(path));
  try {
    await c.lopen(fid, O.RDONLY);
    const chunks = [];
    let total = 0;
    for (;;) {
      const b = await c.read(fid, total, c.msize - IOHDRSZ);
      if (b.length === 0) break;
      chunks.push(b);
      total += b.length;
    }
    const out = new Uint8Array(total);
    let p = 0;
    for (const b of chunks) { out.set(b, p); p += b.length; }
    return out;
  } finally {
    await c.clunk(fid);
  }
}

export async function writeFile(c, root, nextFid, path, bytes) {
  const names = splitPath(path);
  if (names.length === 0) throw new Error('writeFile: empty path');
  const fid = nextFid();
  await c.walk(root, fid, names.slice(0, -1));
  try {
    const probe = nextFid();
    let exists = true;
    try { await c.walk(fid, probe, [names[names.length - 1]]); } catch (e) {
      if (!(e instanceof Error9p)) throw e;
      exists = false;
    }
    if (exists) {
      await c.clunk(fid);
      await c.lopen(probe, O.WRONLY | O.TRUNC);
      return await writeAll(c, probe, bytes);
    }
    await c.lcreate(fid, names[names.length - 1], O.WRONLY, 0o644, 0);
    return await writeAll(c, fid, bytes);
  } catch (e) {
    await c.clunk(fid).catch(() => {});
    throw e;
  }
}

async function writeAll(c, fid, bytes) {
  try {
    const max = c.msize - IOHDRSZ;
    for (let off = 0; off < bytes.length;) {
      const n = await c.write(fid, off, bytes.subarray(off, Math.min(bytes.length, off + max)));
      if (n === 0) throw new Error('Twrite wrote nothing');
      off += n;
    }
    return bytes.length;
  } finally {
    await c.clunk(fid);
  }
}

export async function list(c, root, nextFid, path) {
  const fid = nextFid();
  await c.walk(root, fid, splitPath(path));
  try {
    await c.lopen(fid, O.RDONLY | O.DIRECTORY);
    const out = [];
    let offset = 0n;
    for (;;) {
      const ents = await c.readdir(fid, offset, c.msize - IOHDRSZ);
      if (ents.length === 0) break;
      for (const e of ents) if (e.name !== '.' && e.name !== '..') out.push({name: e.name, type: e.type, qid: e.qid});
      offset = ents[ents.length - 1].offset;
    }
    return out;
  } finally {
    await c.clunk(fid);
  }
}
