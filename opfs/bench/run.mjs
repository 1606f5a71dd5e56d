#!/usr/bin/env node
// Runs the OPFS benchmarks (bench.js) in headless Chromium with a fresh
// profile, through opfs/host/serve.mjs --bench, and prints them as a table
// with the ratios the OPFS build is held to (opfs/README.md, "Benchmarks"):
//
//   node opfs/bench/run.mjs [--web build/opfs/web] [--json OUT] [--quick] [--parts seq,random,...]
//
// --quick shrinks every size (a smoke run: 8 MiB sequential, 2 MiB
// read-modify-write, 200 creates, a 1,000-file directory, 64 MiB for memory).
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(k);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
const web = opt('--web', path.resolve(here, '../../build/opfs/web'));
const quick = argv.includes('--quick');
const options = quick ? {seqMiB: 8, rmwMiB: 2, files: 200, bigDir: 1000, memGiB: 1 / 16} : {};
// --parts: some of seq, random, files, rename, rmw, memory (default: all).
if (opt('--parts')) options.parts = opt('--parts').split(',');
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'p9opfs-bench-'));
const out = path.join(profile, 'results.json');
process.stderr.write(`bench: Chromium profile ${profile}; this takes a few minutes (--quick: seconds)\n`);
const r = spawnSync(process.execPath, [path.resolve(here, '../host/serve.mjs'), '--listen', '127.0.0.1:0',
                                       '--profile', path.join(profile, 'chromium'), '--web', web, '--bench', out,
                                       '--timeout', '120'],
                    {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, P9_BENCH_OPTIONS: JSON.stringify(options)}});
if (r.status !== 0 || !fs.existsSync(out)) {
  process.stderr.write(`bench: serve.mjs failed (status ${r.status}); profile kept in ${profile}\n`);
  process.exit(1);
}
const results = JSON.parse(fs.readFileSync(out, 'utf8'));
try {
  fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
} catch (e) {
  process.stderr.write(`bench: could not remove ${profile}: ${e.message}\n`);
}
if (opt('--json')) fs.writeFileSync(opt('--json'), JSON.stringify(results, null, 1) + '\n');

const goal = (name) => {
  if (/^9P write .* in 1 MiB$/.test(name) && !/GiB/.test(name)) return 'of raw >= 0.8';
  if (/^9P read .* in 1 MiB$/.test(name)) return 'of raw >= 0.8';
  if (/^9P (write|read) .* in 4 KiB$/.test(name)) return 'of raw >= 0.5';
  if (/^rename of a directory/.test(name)) return '< 10 ms';
  if (/^9P server: .* 4 KiB writes$/.test(name)) return '>= 500x the baseline';
  return '';
};
const met = (x) => {
  const g = goal(x.name);
  if (g.startsWith('of raw')) return x.ofRaw >= Number(g.split('>= ')[1]) ? 'yes' : 'NO';
  if (g === '< 10 ms') return x.ms < 10 ? 'yes' : 'NO';
  if (g.startsWith('>= 500x')) return x.timesFaster >= 500 ? 'yes' : 'NO';
  return '';
};
console.log('| measurement | ms | MB/s | ratio | goal | met |');
console.log('|---|---:|---:|---:|---|---|');
for (const x of results) {
  let ratio = '';
  if (x.ofRaw !== undefined) ratio = `${x.ofRaw} of raw`;
  if (x.timesFaster !== undefined) ratio = `${x.timesFaster}x faster`;
  if (x.wasmMemoryAfterMiB !== undefined) ratio = `wasm memory ${x.wasmMemoryBeforeMiB} -> ${x.wasmMemoryAfterMiB} MiB`;
  console.log(`| ${x.name} | ${x.ms} | ${x.MBps ?? ''} | ${ratio} | ${goal(x.name)} | ${met(x)} |`);
}
