// The files of the OPFS server a page loads (opfs/web/, copied next to the
// wasm module into build/opfs/web by opfs/CMakeLists.txt): one list for every
// host program that serves them (serve.mjs, traces/v86/chromium.mjs).
import fs from 'node:fs';
import path from 'node:path';

export const SERVER_FILES = ['p9opfs.js', 'client9p.js', 'worker.js', 'store.js', 'p9opfs-wasm.js', 'p9opfs-wasm.wasm',
                             'imports.mjs', 'trace.mjs', 'errno_names.mjs', 'p9opfs-wasi.mjs'];

// The first of `names` (default: SERVER_FILES) missing from dir, or null.
export function missingWebFile(dir, names = SERVER_FILES) {
  for (const f of names)
    if (!fs.existsSync(path.join(dir, f))) return path.join(dir, f);
  return null;
}
