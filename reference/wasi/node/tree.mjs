// A host directory as the list of entries loadEntries (imports.mjs) makes in a
// Host's preopen: what `p9wasi run --dir` and `serve.mjs --wasi-load` copy in.
// Node only (node:fs); the list itself is plain data, sent to a browser worker
// as JSON with each file's bytes in base64 (`base64: true`).
import fs from 'node:fs';
import path from 'node:path';

// [{path, kind: 'dir'|'file'|'symlink', data?: Uint8Array|string, target?}],
// parents before children. Other kinds (FIFOs, devices) are left out, each
// reported through warn(relativePath).
export function treeEntries(top, {base64 = false, warn = () => {}} = {}) {
  const out = [];
  const walk = (abs, rel) => {
    for (const ent of fs.readdirSync(abs, {withFileTypes: true})) {
      const a = path.join(abs, ent.name), r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        out.push({path: r, kind: 'dir'});
        walk(a, r);
      } else if (ent.isSymbolicLink()) {
        out.push({path: r, kind: 'symlink', target: fs.readlinkSync(a)});
      } else if (ent.isFile()) {
        const data = fs.readFileSync(a);
        out.push({path: r, kind: 'file', data: base64 ? data.toString('base64') : new Uint8Array(data)});
      } else {
        warn(r);
      }
    }
  };
  walk(top, '');
  return out;
}
