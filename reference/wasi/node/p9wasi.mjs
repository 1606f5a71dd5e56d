#!/usr/bin/env node
// p9wasi run [--store model] [--preopen /NAME | --no-preopen] [--dir HOSTDIR] [--env K=V]... [--trace FILE] PROG.wasm [ARGS...]
//
// Runs a WASI preview1 program (wasi_snapshot_preview1) on p9::wasi::Host over
// the in-memory model, in the manner of `wasmtime run --dir`: one preopen
// (fd 3, named /sandbox unless --preopen says otherwise) holding a fresh empty
// directory of the model; the program's stdout and stderr passed through;
// argv[0] is PROG.wasm as given; the exit status is the program's (proc_exit's
// code, 0 when _start returns), 134 on a trap (as wasmtime on Unix: 128 +
// SIGABRT), 2 for a usage error. --trace FILE writes one line per WASI call
// (reference/wasi/README.md, "Traces"). --dir HOSTDIR copies HOSTDIR's files,
// directories and symlinks into the preopen before the program starts (the
// model lives in memory: nothing is written back). --no-preopen: the program
// starts with fds 0-2 only (as `wasmtime run` without --dir).
//
// --store posix:DIR is not offered: the posix backend is native C++
// (reference/posix/, *at() system calls on a host directory) and the Host here
// is an Emscripten build, which reaches no host system call; the native
// Host over posix is tested by reference/wasi/*_test.cc.
//
// The Host module, p9wasi-host.js (reference/wasi/node/api.cc), is looked for
// beside this file, or where P9WASI_HOST says.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {createHost} from './imports.mjs';
import {traceHeader} from './trace.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(msg) {
  if (msg) process.stderr.write(`p9wasi: ${msg}\n`);
  process.stderr.write('usage: p9wasi run [--store model] [--preopen /NAME | --no-preopen] [--dir HOSTDIR] [--env K=V]... [--trace FILE] PROG.wasm [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv[0] !== 'run') usage(argv.length ? `unknown command '${argv[0]}'` : '');
let i = 1, preopen = '/sandbox', trace = null, load = null;
const env = {};
let noPreopen = false;
for (; i < argv.length && argv[i].startsWith('--'); ++i) {
  if (argv[i] === '--no-preopen') {
    noPreopen = true;
    continue;
  }
  const opt = argv[i], val = argv[i + 1];
  if (val === undefined) usage(`${opt} needs a value`);
  ++i;
  if (opt === '--store') {
    if (val.startsWith('posix:')) {
      usage('--store posix:DIR is not available here: the posix backend is native C++ and this Host is an ' +
            'Emscripten build, which reaches no host system call (use --store model)');
    }
    if (val !== 'model') usage(`unknown store '${val}' (model)`);
  } else if (opt === '--preopen') {
    if (!val.startsWith('/') && val !== '.') usage('--preopen wants /NAME (or .)');
    preopen = val;
  } else if (opt === '--dir') {
    if (!fs.existsSync(val) || !fs.statSync(val).isDirectory()) usage(`--dir ${val}: not a directory`);
    load = val;
  } else if (opt === '--trace') {
    trace = val;
  } else if (opt === '--env') {
    const eq = val.indexOf('=');
    if (eq <= 0) usage('--env wants K=V');
    env[val.slice(0, eq)] = val.slice(eq + 1);
  } else {
    usage(`unknown option ${opt}`);
  }
}
if (i >= argv.length) usage('no program');
const prog = argv[i];
const args = argv.slice(i);

const hostJs = process.env.P9WASI_HOST || path.join(here, 'p9wasi-host.js');
let bytes;
try {
  bytes = fs.readFileSync(prog);
} catch (e) {
  usage(`${prog}: ${e.message}`);
}
let traceFd = null;
if (trace) {
  try {
    traceFd = fs.openSync(trace, 'w');
    for (const line of traceHeader({host: 'p9wasi (model)', preopen, program: args.join(' ')})) {
      fs.writeSync(traceFd, line + '\n');
    }
  } catch (e) {
    usage(`--trace ${trace}: ${e.message}`);
  }
}
const host = await createHost({hostJs, args, env, preopen,
                               trace: traceFd === null ? undefined : (line) => fs.writeSync(traceFd, line + '\n')});
let status;
if (noPreopen && load) usage('--dir needs a preopen');
try {
  if (load) host.load(load);
  if (noPreopen) host.closePreopen();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
try {
  const {instance} = await WebAssembly.instantiate(bytes, host.imports);
  status = host.start(instance);
} catch (e) {
  process.stderr.write(`p9wasi: ${prog}: ${e && e.stack ? e.stack : e}\n`);
  status = 134;
}
if (process.env.P9WASI_CHECK) {
  const broken = host.check();
  if (broken) {
    process.stderr.write(`p9wasi: the model's invariants do not hold after the run: ${broken}\n`);
    if (status === 0) status = 70;
  }
}
process.exitCode = status;
