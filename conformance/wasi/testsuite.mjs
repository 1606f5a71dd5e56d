// An adapter for the official WASI test suite (github.com/WebAssembly/
// wasi-testsuite): runs its wasm32-wasip1 file-system tests on one of our
// WASI hosts and checks each the way its own runner does
// (doc/specification.md of that repository: "args", "env", "root" preopened
// as the guest's "/", "exit_code" default 0, "stdout"/"stderr" compared only
// when the test gives them).
//
//   node testsuite.mjs --testsuite DIR --host p9wasi|p9wasi_opfs|node:wasi [--p9wasi CMD] [--work DIR]
//                      [--web DIR] [--chromium PATH] [--report FILE] [--expected FILE]
//
// p9wasi_opfs: our Host over the OPFS store in headless Chromium, one fresh
// profile per test (opfs/host/serve.mjs --wasi, --wasi-load ROOT).
//
// DIR is a checkout of the suite's branch prod/testsuite-base, which holds the
// tests' sources and the upstream build of each; PINNED below is the commit
// this adapter and testsuite-expected.md were written against. No copy of the
// suite is part of this repository, and this project's CI cannot fetch it (it
// reaches Debian's and npm's registries only), so `ctest -R wasi.testsuite`
// runs only where P9_WASI_TESTSUITE names a checkout.
//  - C tests (tests/c/src/*.c): built here, clang-14 --target=wasm32-wasi
//    with Debian's wasi-libc, into --work DIR.
//  - Rust tests (tests/rust/testsuite/wasm32-wasip1/*.wasm): the suite's own
//    build, run as they are. They cannot be built on this machine: rustup's
//    toolchains here have no wasm32-wasip1 standard library and crates.io
//    (the `wasi` and `libc` crates they use) is not reachable.
// Each test runs on a fresh copy of its root directory. The outcome of every
// test is compared with testsuite-expected.md (rows
// `| host | test | outcome | reason |`, outcome `fail`): exit 0 when every
// test passed or failed as listed, and every listed failure still fails.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const PINNED = '9f80ca35444cfd9e63100725615140a346652e6c';  // prod/testsuite-base, 2026-08-18
const here = path.dirname(fileURLToPath(import.meta.url));
const opt = {expected: path.join(here, 'testsuite-expected.md')};
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!opt.testsuite || !opt.host) {
  console.error('usage: node testsuite.mjs --testsuite DIR --host p9wasi|node:wasi [--p9wasi CMD] [--work DIR] ' +
                '[--report FILE] [--expected FILE]');
  process.exit(2);
}
const suite = path.resolve(opt.testsuite);
if (!fs.existsSync(path.join(suite, 'tests/c/src')) ||
    !fs.existsSync(path.join(suite, 'tests/rust/testsuite/wasm32-wasip1'))) {
  console.error(`${suite}: not a checkout of wasi-testsuite's prod/testsuite-base (tests/c/src and ` +
                'tests/rust/testsuite/wasm32-wasip1 are missing)');
  process.exit(2);
}
{
  const r = spawnSync('git', ['-C', suite, 'rev-parse', 'HEAD'], {encoding: 'utf8'});
  const at = r.status === 0 ? r.stdout.trim() : '(not a git checkout)';
  console.log(`wasi-testsuite at ${at}${at === PINNED ? '' : ` — this adapter was written against ${PINNED}`}`);
}
const work = opt.work || fs.mkdtempSync(path.join(os.tmpdir(), 'p9wasi-testsuite-'));
fs.mkdirSync(work, {recursive: true});

// The tests: {name, kind, wasm, spec, dir} (dir: where "root" is relative to).
const tests = [];
{
  const src = path.join(suite, 'tests/c/src');
  for (const f of fs.readdirSync(src).filter((f) => f.endsWith('.c')).sort()) {
    const name = f.slice(0, -2), wasm = path.join(work, name + '.wasm');
    const r = spawnSync('clang-14', ['--target=wasm32-wasi', '-O1', path.join(src, f), '-o', wasm], {encoding: 'utf8'});
    if (r.status !== 0) {
      tests.push({name: `c/${name}`, error: `does not build here: ${(r.stderr || r.error || '').toString().trim()}`});
      continue;
    }
    const json = path.join(src, name + '.json');
    tests.push({name: `c/${name}`, wasm, dir: src,
                spec: fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : {}});
  }
  const rust = path.join(suite, 'tests/rust/testsuite/wasm32-wasip1');
  for (const f of fs.readdirSync(rust).filter((f) => f.endsWith('.wasm')).sort()) {
    const name = f.slice(0, -5), json = path.join(rust, name + '.json');
    tests.push({name: `rust/${name}`, wasm: path.join(rust, f), dir: rust,
                spec: fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : {}});
  }
}

function runOne(t) {
  const spec = t.spec;
  if (spec.operations || spec.proposals) return {outcome: 'skip', why: 'an operation-based test (sockets, http)'};
  const args = spec.args || [], env = spec.env || {};
  let root = null;
  if (spec.root) {
    root = fs.mkdtempSync(path.join(work, 'root-'));
    fs.cpSync(path.join(t.dir, spec.root), root, {recursive: true, verbatimSymlinks: true});
  }
  try {
    let r;
    if (opt.host === 'p9wasi') {
      const [cmd, ...pre] = (opt.p9wasi || 'p9wasi').split(' ');
      const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const dirArgs = root ? ['--preopen', '/', '--dir', root] : ['--no-preopen'];
      r = spawnSync(cmd, [...pre, 'run', ...dirArgs, ...envArgs, t.wasm, ...args], {encoding: 'utf8', timeout: 60000});
    } else if (opt.host === 'p9wasi_opfs') {
      const profile = fs.mkdtempSync(path.join(work, 'profile-'));
      const web = opt.web || path.resolve(here, '../../build/opfs/web');
      const dirArgs = root ? ['--wasi-preopen', '/', '--wasi-load', root] : ['--wasi-preopen', 'none'];
      r = spawnSync(process.execPath, [path.resolve(here, '../../opfs/host/serve.mjs'), '--profile', profile, '--web', web,
                                       ...(opt.chromium ? ['--chromium', opt.chromium] : []), ...dirArgs,
                                       '--wasi-env', JSON.stringify(env), '--wasi', [t.wasm, ...args].join(' ')],
                    {encoding: 'utf8', timeout: 120000});
      fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
      // serve.mjs's own lines ("serve.mjs: ...") are not the program's.
      r.stderr = (r.stderr || '').split('\n').filter((l) => !l.startsWith('serve.mjs:')).join('\n');
    } else if (opt.host === 'node:wasi') {
      const box = root || fs.mkdtempSync(path.join(work, 'empty-'));
      r = spawnSync(process.execPath, [path.join(here, 'node_wasi.mjs'), t.wasm, box, ...args],
                    {encoding: 'utf8', timeout: 60000, env: {...process.env, P9WASI_PREOPEN: root ? '/' : 'none', P9WASI_ENV: JSON.stringify(env)}});
    } else {
      throw new Error(`unknown host ${opt.host}`);
    }
    const code = r.status === null ? 'no end in 60 s' : r.status;
    const want = spec.exit_code || 0;
    const problems = [];
    if (code !== want) problems.push(`exit ${code}, expected ${want}`);
    if (spec.stdout != null && r.stdout !== spec.stdout) problems.push(`stdout ${JSON.stringify(r.stdout)}, expected ${JSON.stringify(spec.stdout)}`);
    if (spec.stderr != null && r.stderr !== spec.stderr) problems.push(`stderr ${JSON.stringify(r.stderr)}, expected ${JSON.stringify(spec.stderr)}`);
    // What the program said of its failure: stderr without stack frames.
    const lastErr = (r.stderr || '').split('\n').filter((l) => l.trim() && !/^\s+at /.test(l) && !/^note: run with/.test(l))
                        .slice(0, 3).join(' / ');
    return problems.length ? {outcome: 'fail', why: problems.join('; ') + (lastErr ? ` (stderr: ${lastErr.slice(0, 300)})` : '')}
                           : {outcome: 'pass'};
  } finally {
    if (root) fs.rmSync(root, {recursive: true, force: true});
  }
}

// testsuite-expected.md: `| host | test | outcome | reason |`.
const expected = new Map();
for (const line of fs.readFileSync(opt.expected, 'utf8').split('\n')) {
  if (!line.startsWith('| ') || line.startsWith('| host ') || line.startsWith('|--')) continue;
  const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ''));
  if (cells.length !== 4) throw new Error(`${opt.expected}: a row needs 4 cells: ${line}`);
  if (cells[0] === opt.host) expected.set(cells[1], {outcome: cells[2], reason: cells[3]});
}

let bad = 0;
const rows = [];
for (const t of tests) {
  const res = t.error ? {outcome: 'fail', why: t.error} : runOne(t);
  const exp = expected.get(t.name);
  let verdict;
  if (res.outcome === 'skip') verdict = `skipped: ${res.why}`;
  else if (res.outcome === 'pass' && !exp) verdict = 'passed';
  else if (res.outcome === 'pass') { verdict = `PASSED, but listed as ${exp.outcome}: remove the row`; ++bad; }
  else if (exp && exp.outcome === res.outcome) verdict = `failed as listed (${exp.reason})`;
  else { verdict = 'FAILED'; ++bad; }
  console.log(`${verdict.startsWith('PASSED') || verdict === 'FAILED' ? 'FAIL' : 'ok  '} ${t.name}: ${verdict}${res.why && res.outcome !== 'skip' ? ` — ${res.why}` : ''}`);
  rows.push({name: t.name, verdict, why: res.why || ''});
}
for (const name of expected.keys()) {
  if (!tests.some((t) => t.name === name)) {
    console.log(`FAIL ${name}: listed in ${path.basename(opt.expected)} but not in the suite`);
    ++bad;
  }
}
const count = (p) => rows.filter((r) => p(r.verdict)).length;
const summary = `${opt.host}: ${count((v) => v === 'passed')} passed, ${count((v) => v.startsWith('failed as listed'))} failed as listed, ` +
                `${count((v) => v.startsWith('skipped'))} skipped, ${bad} unexpected, of ${rows.length} tests`;
console.log(summary);
if (opt.report) {
  const md = [`# wasi-testsuite on ${opt.host}`, '', `Suite: WebAssembly/wasi-testsuite prod/testsuite-base (adapter pinned at ${PINNED}).`,
              '', summary, '', '| test | verdict | detail |', '|---|---|---|',
              ...rows.map((r) => `| ${r.name} | ${r.verdict} | ${r.why.replace(/\|/g, '\\|').slice(0, 400)} |`)];
  fs.writeFileSync(opt.report, md.join('\n') + '\n');
}
if (!opt.work) fs.rmSync(work, {recursive: true, force: true});
process.exit(bad ? 1 : 0);
