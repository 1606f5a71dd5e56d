// Runs the WASI probes (conformance/wasi/*.c) natively (Linux: the ground
// truth) and on a WASI host, compares them line by line and writes a
// certificate of the host: passed, known deviations (conformance/wasi/
// deviations.md, each with its kind and reason), failed.
//
//   node run.mjs --host p9wasi|node:wasi|browser_wasi_shim|wasmer_wasi --bin DIR [--p9wasi CMD] [--modules DIR]
//                [--report FILE] [--deviations FILE]
//   node run.mjs --host p9wasi_opfs|shim_on_p9opfs --bin DIR [--web DIR] [--chromium PATH] [--modules DIR] ...
//
// p9wasi_opfs is our Host over the OPFS store, in the server's worker in
// headless Chromium (opfs/host/serve.mjs --wasi, --web: build/opfs/web);
// shim_on_p9opfs is browser_wasi_shim's WASI class with our OPFS preopen
// (opfs/web/wasi_shim.mjs) in place of its PreopenDirectory, in a worker in
// headless Chromium (opfs/host/serve.mjs --shim). Each run gets a fresh Chromium
// profile, so an empty store.
//
// DIR holds each probe program twice: NAME (native) and NAME.wasm. Each run
// gets a fresh directory T/box as ROOT, next to T/outside ("secret"); a WASI
// program sees ROOT as its preopen /sandbox (p9wasi: an empty directory of
// the model; node:wasi: T/box itself).
// Exit status: 0 when every probe matched Linux or its listed deviation and
// every listed deviation still happens; 1 otherwise.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = {deviations: path.join(here, 'deviations.md')};
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!opt.host || !opt.bin) {
  console.error('usage: node run.mjs --host p9wasi|node:wasi|browser_wasi_shim|wasmer_wasi --bin DIR [--p9wasi CMD] [--modules DIR] [--report FILE]');
  process.exit(2);
}
const programs = ['files', 'paths', 'dirs'];

function freshRoot() {
  const t = fs.mkdtempSync(path.join(os.tmpdir(), 'p9probe-'));
  fs.mkdirSync(path.join(t, 'box'));
  fs.writeFileSync(path.join(t, 'outside'), 'secret');
  return t;
}

// A host's run that does not end is stopped after `timeout` ms (status
// null): its probes are then run alone (below), each with the same limit.
function run(cmd, args, timeout = 0) {
  const r = spawnSync(cmd, args, {encoding: 'utf8', maxBuffer: 64 << 20, timeout});
  if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
  if (r.status === null) r.stderr += `\nstopped: no end in ${timeout / 1000} s\n`;
  return r;
}
const hostTimeout = 60000;

// `name: result` lines as a Map.
function parse(out) {
  const m = new Map();
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

// names: only these probes (probe.h: ROOT [NAME...]); none: all.
function runHost(prog, names = []) {
  const wasm = path.join(opt.bin, prog + '.wasm');
  if (opt.host === 'p9wasi') {
    const [cmd, ...pre] = (opt.p9wasi || 'p9wasi').split(' ');
    return run(cmd, [...pre, 'run', '--preopen', '/sandbox', wasm, '/sandbox', ...names]);
  }
  if (opt.host === 'node:wasi') {
    const t = freshRoot();
    try {
      return run(process.execPath, [path.join(here, 'node_wasi.mjs'), wasm, path.join(t, 'box'), '/sandbox', ...names]);
    } finally {
      fs.rmSync(t, {recursive: true, force: true});
    }
  }
  // Hosts from npm (hosts/package.json, installed by hosts/setup.sh into
  // --modules DIR, default hosts/node_modules). browser_wasi_shim keeps its
  // own in-memory file system, and so does wasmer_wasi (MemFS): the preopen is
  // an empty directory there, as ROOT is.
  const modules = opt.modules || path.join(here, 'hosts', 'node_modules');
  if (opt.host === 'browser_wasi_shim') {
    return run(process.execPath, [path.join(here, 'hosts', 'browser_wasi_shim.mjs'), modules, wasm, '/sandbox', ...names], hostTimeout);
  }
  if (opt.host === 'wasmer_wasi') {
    return run(process.execPath, [path.join(here, 'hosts', 'wasmer_wasi.mjs'), modules, wasm, '/sandbox', ...names], hostTimeout);
  }
  if (opt.host === 'p9wasi_opfs' || opt.host === 'shim_on_p9opfs') {
    const t = fs.mkdtempSync(path.join(os.tmpdir(), 'p9probe-opfs-'));
    const web = opt.web || path.resolve(here, '../../build/opfs/web');
    const chromium = opt.chromium ? ['--chromium', opt.chromium] : [];
    const spec = [wasm, '/sandbox', ...names].join(' ');
    try {
      if (opt.host === 'p9wasi_opfs') {
        return run(process.execPath, [path.resolve(here, '../../opfs/host/serve.mjs'), '--profile', path.join(t, 'profile'),
                                      '--web', web, ...chromium, '--wasi', spec], hostTimeout);
      }
      return run(process.execPath, [path.resolve(here, '../../opfs/host/serve.mjs'), '--profile', path.join(t, 'profile'),
                                    '--web', web, '--shim', path.join(modules, '@bjorn3/browser_wasi_shim/dist'), ...chromium,
                                    '--wasi', spec], hostTimeout);
    } finally {
      fs.rmSync(t, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
    }
  }
  throw new Error(`unknown host ${opt.host}`);
}

// deviations.md: rows `| host | probe | Linux | host's | kind | reason |`.
function readDeviations(file) {
  const rows = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| host ') || line.startsWith('|--')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells.length !== 6) throw new Error(`${file}: a row needs 6 cells (a '|' inside one?): ${line}`);
    const [host, probe, linux, got, kind, reason] = cells;
    rows.push({host, probe, linux, got, kind, reason});
  }
  return rows;
}

// Our Host over the OPFS store is the same Host as over the model (the store
// is the model kept in OPFS: opfs/README.md): it answers to p9wasi's rows.
// browser_wasi_shim's WASI class over that Host (shim_on_p9opfs) answers to
// its own rows first, then to p9wasi's (what reaches the Host is the Host's).
const rowsOf = {p9wasi_opfs: ['p9wasi'], shim_on_p9opfs: ['shim_on_p9opfs', 'p9wasi']}[opt.host] || [opt.host];
const rank = (d) => (d.host === '*' ? rowsOf.length : rowsOf.indexOf(d.host));
const deviations = readDeviations(opt.deviations).filter((d) => rank(d) >= 0).sort((a, b) => rank(a) - rank(b));
const results = [];
let failed = 0;
for (const prog of programs) {
  const t = freshRoot();
  let linux;
  try {
    const r = run(path.join(opt.bin, prog), [path.join(t, 'box')]);
    if (r.status !== 0) throw new Error(`native ${prog} exited ${r.status}: ${r.stderr}`);
    linux = parse(r.stdout);
  } finally {
    fs.rmSync(t, {recursive: true, force: true});
  }
  const h = runHost(prog);
  const got = parse(h.stdout);
  // A host that stops the program (a JavaScript exception, a trap) loses the
  // probes after it: each of those runs alone, and one whose own run stops
  // too gets `(exit N: the host's last stderr line)` as its line, to be
  // compared (and listed) as any other.
  let blamed = 0;
  if (h.status !== 0) {
    for (const probe of linux.keys()) {
      if (got.has(probe)) continue;
      const r = runHost(prog, [probe]);
      const line = parse(r.stdout).get(probe);
      if (r.status === 0 && line !== undefined) {
        got.set(probe, line);
      } else {
        ++blamed;
        const why = r.stderr.split('\n').filter((l) => l).slice(-1).join('');
        got.set(probe, `(exit ${r.status}: ${why.trim()})`);
      }
    }
  }
  if (h.status !== 0 && !blamed) {
    // The native program exited 0 (checked above): so must the host's run
    // (p9wasi with P9WASI_CHECK=1 also exits non-zero when the model's
    // invariants do not hold after the run).
    ++failed;
    const why = h.stderr.split('\n').filter((l) => l).slice(-3).join(' ');
    results.push({prog, probe: '(exit status)', want: '0', have: String(h.status), verdict: `FAIL ${why}`});
  }
  for (const [probe, want] of linux) {
    const have = got.has(probe) ? got.get(probe) : '(no line)';
    const dev = deviations.find((d) => d.probe === probe);
    let verdict;
    if (dev) {
      if (dev.linux !== want) {
        verdict = `FAIL listed deviation's Linux line '${dev.linux}' is not Linux's '${want}'`;
      } else if (have === dev.got) {
        verdict = `deviation (${dev.kind})`;
      } else if (have === want) {
        verdict = 'FAIL listed deviation no longer happens';
      } else {
        verdict = `FAIL differs from the listed deviation '${dev.got}'`;
      }
    } else {
      verdict = have === want ? 'pass' : 'FAIL';
    }
    if (verdict.startsWith('FAIL')) ++failed;
    results.push({prog, probe, want, have, verdict, dev});
  }
}

for (const d of deviations) {
  if (!results.some((r) => r.probe === d.probe)) {
    ++failed;
    results.push({prog: '?', probe: d.probe, want: d.linux, have: '(no such probe)', dev: d,
                  verdict: 'FAIL listed deviation names no probe'});
  }
}

const count = (p) => results.filter((r) => p(r.verdict)).length;
const lines = [];
lines.push(`# WASI probes on ${opt.host}`, '');
lines.push(`${results.length} probes (${programs.join(', ')}), each compared with the same program built natively on Linux.`);
// Listings after changes (cookies, removed entries) are the file system's:
// say which one gave the ground truth.
const fsType = spawnSync('stat', ['-f', '-c', '%T', os.tmpdir()], {encoding: 'utf8'}).stdout.trim();
lines.push(`Linux ${os.release()}, its answers taken in ${os.tmpdir()} (${fsType || 'file system unknown'}).`);
lines.push('');
lines.push(`- passed (the line Linux prints): ${count((v) => v === 'pass')}`);
const kinds = [...new Set(results.filter((r) => r.verdict.startsWith('deviation')).map((r) => r.dev.kind))];
for (const k of kinds) lines.push(`- known deviations, ${k}: ${count((v) => v === `deviation (${k})`)}`);
lines.push(`- failed: ${failed}`, '');
// Differences WASI requires and those of the C library are no fault of the
// host; its own differences from Linux are, even when known.
const own = count((v) => v === 'deviation (host)');
const verdict = failed ? 'NOT CONFORMANT' : own ? `NOT CONFORMANT (${own} known deviations of its own)` : 'CONFORMANT';
lines.push(`Verdict: ${verdict}; every deviation is listed in conformance/wasi/deviations.md with its reason`);
lines.push('');
const notPass = results.filter((r) => r.verdict !== 'pass');
if (notPass.length) {
  lines.push('| probe | Linux | ' + opt.host + ' | verdict | reason |', '|---|---|---|---|---|');
  for (const r of notPass) {
    lines.push(`| ${r.prog}/${r.probe} | \`${r.want}\` | \`${r.have}\` | ${r.verdict} | ${r.dev ? r.dev.reason : ''} |`);
  }
}
const report = lines.join('\n') + '\n';
process.stdout.write(report);
if (opt.report) {
  fs.mkdirSync(path.dirname(opt.report), {recursive: true});
  fs.writeFileSync(opt.report, report);
}
process.exitCode = failed ? 1 : 0;
