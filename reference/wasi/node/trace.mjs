// WASI call traces: wraps any wasi_snapshot_preview1 import object (ours,
// node:wasi's, browser_wasi_shim's) so that each call is reported as one line
// of text that a native replayer (reference/wasi/replay.h, `p9wasi-replay`)
// can run again against the model. The format is in reference/wasi/README.md,
// "Traces". Plain JavaScript: runs in node and in a browser worker.
//
//   const wasi = traced(imports.wasi_snapshot_preview1, (line) => ..., () => instance.exports.memory);
//
// Arguments are shown by kind, from each call's witx signature
// (wasi_snapshot_preview1.witx): a descriptor or number as the number the
// program passed; a path (pointer, length) as a JSON string; a list of
// ciovecs (fd_write, fd_pwrite) as the bytes they gather, x:HEX; a list of
// iovecs or an output buffer as its total length, len:N. Output pointers are
// not shown; what the host wrote through them follows the errno, as
// key=value, when the call succeeded.

// Argument kinds: fd, u (number), path (2 words), ciovs (2), iovs (2),
// buf (2: pointer and length of an output buffer), and outputs: size (u32),
// fd_out (u32), u64, filestat (64 bytes), fdstat (24), prestat (8).
export const CALLS = {
  fd_advise: ['fd', 'u', 'u', 'u'],
  fd_allocate: ['fd', 'u', 'u'],
  fd_close: ['fd'],
  fd_datasync: ['fd'],
  fd_sync: ['fd'],
  fd_fdstat_get: ['fd', 'fdstat'],
  fd_fdstat_set_flags: ['fd', 'u'],
  fd_fdstat_set_rights: ['fd', 'u', 'u'],
  fd_filestat_get: ['fd', 'filestat'],
  fd_filestat_set_size: ['fd', 'u'],
  fd_filestat_set_times: ['fd', 'u', 'u', 'u'],
  fd_read: ['fd', 'iovs', 'size'],
  fd_pread: ['fd', 'iovs', 'u', 'size'],
  fd_write: ['fd', 'ciovs', 'size'],
  fd_pwrite: ['fd', 'ciovs', 'u', 'size'],
  fd_prestat_get: ['fd', 'prestat'],
  fd_prestat_dir_name: ['fd', 'buf'],
  fd_readdir: ['fd', 'buf', 'u', 'size'],
  fd_renumber: ['fd', 'fd'],
  fd_seek: ['fd', 'u', 'u', 'u64'],
  fd_tell: ['fd', 'u64'],
  path_create_directory: ['fd', 'path'],
  path_filestat_get: ['fd', 'u', 'path', 'filestat'],
  path_filestat_set_times: ['fd', 'u', 'path', 'u', 'u', 'u'],
  path_link: ['fd', 'u', 'path', 'fd', 'path'],
  path_open: ['fd', 'u', 'path', 'u', 'u', 'u', 'u', 'fd_out'],
  path_readlink: ['fd', 'path', 'buf', 'size'],
  path_remove_directory: ['fd', 'path'],
  path_rename: ['fd', 'path', 'fd', 'path'],
  path_symlink: ['path', 'fd', 'path'],
  path_unlink_file: ['fd', 'path'],
};
const WIDE = new Set(['path', 'ciovs', 'iovs', 'buf']);

const HEX = Array.from({length: 256}, (_, b) => (b < 16 ? '0' : '') + b.toString(16));
// x:HEX of byte arrays, one after the other.
function hex(...parts) {
  const out = [];
  for (const bytes of parts) for (let i = 0; i < bytes.length; ++i) out.push(HEX[bytes[i]]);
  return 'x:' + out.join('');
}

// The (pointer, length) pairs of a list of iovecs: [[ptr, len]...].
function iovecs(view, ptr, count) {
  const list = [];
  for (let i = 0; i < count; ++i) list.push([view.getUint32(ptr + 8 * i, true), view.getUint32(ptr + 8 * i + 4, true)]);
  return list;
}

// The witx name of each errno (ESUCCESS, ENOENT, ...), generated from
// reference/wasi/errno.def by reference/wasi/CMakeLists.txt.
import {ERRNO_NAMES} from './errno_names.mjs';

const errnoName = (n) => ERRNO_NAMES[n] || `E${n}`;

// The header lines a trace starts with: `# key: value`.
export function traceHeader(fields) {
  return ['# p9wasi trace 1', ...Object.entries(fields).map(([k, v]) => `# ${k}: ${v}`)];
}

// Wraps every call of `wasi` in place and returns it. trace(line) gets one
// line per call; memory() the program's WebAssembly.Memory.
export function traced(wasi, trace, memory) {
  let seq = 0;
  const dec = new TextDecoder();
  for (const [name, fn] of Object.entries(wasi)) {
    const kinds = CALLS[name];
    wasi[name] = (...a) => {
      const head = `${++seq} ${name}`;
      if (name === 'proc_exit') {
        trace(`${head} ${a[0]} = exit ${a[0]}`);
        return fn(...a);
      }
      if (!kinds) {  // not a file call: shown, never replayed
        const r = fn(...a);
        trace(`${head}${a.length ? ' ' + a.map(String).join(' ') : ''} = ${errnoName(r)}`);
        return r;
      }
      const view = () => new DataView(memory().buffer);
      const bytes = (p, n) => new Uint8Array(memory().buffer, p, n);
      const shown = [], outs = [];
      let reads = null, buf = null;  // [ptr,len] lists written by the call
      for (let i = 0, k = 0; k < kinds.length; ++k) {
        const kind = kinds[k], x = a[i], y = a[i + 1];
        if (kind === 'path') shown.push(JSON.stringify(dec.decode(bytes(x, y))));
        else if (kind === 'ciovs') shown.push(hex(...iovecs(view(), x, y).map(([p, n]) => bytes(p, n))));
        else if (kind === 'iovs') {
          reads = iovecs(view(), x, y);
          shown.push(`len:${reads.reduce((s, [, n]) => s + n, 0)}`);
        } else if (kind === 'buf') {
          buf = [x, y];
          shown.push(`len:${y}`);
        } else if (kind === 'fd' || kind === 'u') shown.push(String(x));
        else outs.push([kind, x]);
        i += WIDE.has(kind) ? 2 : 1;
      }
      const r = fn(...a);
      let line = `${head} ${shown.join(' ')} = ${errnoName(r)}`;
      if (r === 0) {
        const v = view();
        let size = null;
        for (const [kind, p] of outs) {
          if (kind === 'size') line += ` n=${size = v.getUint32(p, true)}`;
          else if (kind === 'fd_out') line += ` fd=${v.getUint32(p, true)}`;
          else if (kind === 'u64') line += ` pos=${v.getBigUint64(p, true)}`;
          else if (kind === 'prestat') line += ` tag=${v.getUint8(p)} len=${v.getUint32(p + 4, true)}`;
          else if (kind === 'fdstat') {
            line += ` type=${v.getUint8(p)} flags=${v.getUint16(p + 2, true)}` +
                    ` base=${v.getBigUint64(p + 8, true)} inheriting=${v.getBigUint64(p + 16, true)}`;
          } else if (kind === 'filestat') {
            line += ` type=${v.getUint8(p + 16)} nlink=${v.getBigUint64(p + 24, true)}` +
                    ` size=${v.getBigUint64(p + 32, true)} atim=${v.getBigUint64(p + 40, true)}` +
                    ` mtim=${v.getBigUint64(p + 48, true)} ctim=${v.getBigUint64(p + 56, true)}`;
          }
        }
        if (reads) {
          let left = size;
          const data = [];
          for (const [p, n] of reads) {
            if (!left) break;
            const k = Math.min(n, left);
            data.push(bytes(p, k));
            left -= k;
          }
          line += ` data=${hex(...data)}`;
        } else if (buf) {
          line += ` data=${hex(bytes(buf[0], size === null ? buf[1] : size))}`;
        }
      }
      trace(line);
      return r;
    };
  }
  return wasi;
}
