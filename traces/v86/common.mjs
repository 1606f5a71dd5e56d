// What run.mjs (v86 under Node) and chromium.mjs (v86 in headless Chromium)
// share: the guest's files, the mount options, the per-run initrd archive,
// the serial-port markers of traces/guest/init.sh and the trace writer
// (traces/FORMAT.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// The kernel command line and machine every driver uses (README.md, "How it works").
export const CMDLINE = 'console=ttyS0 tsc=reliable mitigations=off panic=-1 rdinit=/init';
export const MEMORY = 256 * 1024 * 1024;

export function readGuest(cache) {
  const missing = ['vmlinuz', 'initrd.cpio.gz', 'bios.bin', 'guest.txt'].filter((f) => !fs.existsSync(path.join(cache, f)));
  if (missing.length) return {missing: `${cache}/${missing[0]} missing: run traces/v86/prepare.sh ${cache}`};
  const txt = Object.fromEntries(fs.readFileSync(path.join(cache, 'guest.txt'), 'utf8').trim().split('\n')
                                   .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return {txt, kernel: `${txt.package} ${txt.version}`};
}

// Mount options as traces/record.sh builds them: version=9p2000.L,uname=root,
// cache=none unless a cache= is given, the workload's `# mount: OPTS` line,
// the extra options, msize=N.
export function mountOptions(workloadText, extra, msize) {
  const wopts = (workloadText.match(/^# mount: *(.*)$/m) || [])[1] || '';
  let o = 'version=9p2000.L,uname=root';
  if (!`${wopts},${extra || ''}`.includes('cache=')) o += ',cache=none';
  if (wopts) o += `,${wopts}`;
  if (extra) o += `,${extra}`;
  if (msize) o += `,msize=${msize}`;
  if (/[\s']/.test(o)) throw new Error('mount options must not contain spaces or quotes');
  return `trans=virtio,${o}`;
}

// newc cpio (the format the kernel's init/initramfs.c unpacks).
function cpioNewc(files) {
  const parts = [];
  const pad4 = (n) => (4 - (n % 4)) % 4;
  let ino = 1;
  const entry = (name, mode, data) => {
    const nameb = Buffer.from(name + '\0');
    // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    const f = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameb.length, 0];
    const head = '070701' + f.map((v) => v.toString(16).padStart(8, '0')).join('');
    parts.push(Buffer.from(head), nameb, Buffer.alloc(pad4(110 + nameb.length)), data, Buffer.alloc(pad4(data.length)));
  };
  for (const [name, mode, data] of files) entry(name, mode, Buffer.from(data));
  entry('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

// The cached initrd + a gzip'ed archive with /p9run.conf (read by
// traces/guest/init.sh; P9_NET=none: no network, the transport is virtio),
// /workload.sh and any further files ([name, text]). Linux unpacks
// concatenated archives in order.
export function initrdFor(cache, workloadText, mopts, more = []) {
  const conf = `P9_HOST=host9p\nP9_OPTS='${mopts}'\nP9_WORKLOAD=/workload.sh\nP9_NET=none\n`;
  const dirs = [...new Set(more.map(([name]) => path.dirname(name)).filter((d) => d !== '.'))];
  const run = zlib.gzipSync(cpioNewc([['p9run.conf', 0o100644, conf], ['workload.sh', 0o100755, workloadText],
                                      ...dirs.map((d) => [d, 0o040755, '']),
                                      ...more.map(([name, text]) => [name, 0o100755, text])]));
  return Buffer.concat([fs.readFileSync(path.join(cache, 'initrd.cpio.gz')), run]);
}

// What one boot runs: one workload (its own script, its own mount options), or
// several in one boot (a batch: boots cost 20-30 s, a workload a few). A batch
// is a generated /workload.sh that runs each /w/NAME.sh in its own directory
// MOUNTPOINT/NAME, between ==P9-CASE-BEGIN NAME== and ==P9-CASE-END NAME rc=N==
// lines, with an empty /tmp each, unmounting and mounting host9p again where a workload's options
// (`# mount:` line) differ from the current ones -- virtio-9p takes one mount
// at a time (Linux net/9p/trans_virtio.c, p9_virtio_create: a channel in use
// is EBUSY) -- and mounting the first options again at the end for init.sh's
// umount. Its rc is the number of failed workloads.
// -> {mopts, workloadText, name, initrd, cases: null | [names]}
export function planRun(cache, files, extra, msize) {
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  const opts = texts.map((t) => mountOptions(t, extra, msize));
  if (files.length === 1) {
    return {mopts: opts[0], workloadText: texts[0], name: path.basename(files[0], '.sh'),
            initrd: initrdFor(cache, texts[0], opts[0]), cases: null};
  }
  const names = files.map((f) => path.basename(f, '.sh'));
  if (new Set(names).size !== names.length) throw new Error('two workloads with one name');
  const base = mountOptions('', extra, msize);
  const lines = [
    '#!/bin/sh',
    '# A batch of workloads in one boot (traces/v86/common.mjs, planRun).',
    'M=${1:?usage: batch MOUNTPOINT}',
    `base='${base}'`,
    'cur=$base',
    'failed=0',
    'remount() {',
    '  [ "$cur" = "$1" ] && return 0',
    '  cd / && umount "$M" || return 1',
    '  cur=',
    '  mount -t 9p -o "$1" host9p "$M" || return 1',
    '  cur=$1',
    '}',
    'one() {',
    '  echo "==P9-CASE-BEGIN $1 $2=="',
    '  t0=$(date +%s)',
    '  cd / && rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null  # each as in a boot of its own: an empty /tmp',
    '  if ! remount "$2"; then echo "FAIL mount: mount -o $2 failed"; rc=125',
    '  elif ! mkdir "$M/$1"; then echo "FAIL mkdir $M/$1"; rc=125',
    '  else (cd /tmp && sh "/w/$1.sh" "$M/$1") 2>&1 </dev/null; rc=$?',
    '  fi',
    '  [ $rc -eq 0 ] || failed=$((failed + 1))',
    '  echo "==P9-CASE-END $1 rc=$rc s=$(($(date +%s) - t0))=="',
    '}',
    ...names.map((n, i) => `one ${n} '${opts[i]}'`),
    'remount "$base" || echo "FAIL mount: mount -o $base again failed"',
    'exit $failed',
  ];
  const text = lines.join('\n') + '\n';
  return {mopts: base, workloadText: text, name: `batch of ${names.length}`, cases: names,
          initrd: initrdFor(cache, text, base, names.map((n, i) => [`w/${n}.sh`, texts[i]]))};
}

// After a run: a batch's summary printed (nothing for one workload); the rc,
// 125 when a workload of the batch did not run to its end.
export function printBatchSummary(r, plan) {
  if (!plan.cases) return r.rc;
  const b = batchReport(r.body, plan.cases);
  process.stdout.write(`=== summary ===\n${b.text}`);
  return b.missing.length && r.rc === 0 ? 125 : r.rc;
}

// A batch's output -> one line per workload (PASS/FAIL, seconds, mount
// options) with each failed workload's output under it, and a summary naming
// the failed ones. {text, failed: [names], missing: [names]}
export function batchReport(body, cases) {
  const out = [];
  const failed = [], missing = [];
  for (const name of cases) {
    const b = body.match(new RegExp(`^==P9-CASE-BEGIN ${name} (\\S*)==$`, 'm'));
    const e = body.match(new RegExp(`^==P9-CASE-END ${name} rc=(\\d+) s=(\\d+)==$`, 'm'));
    if (!b || !e) {
      missing.push(name);
      out.push(`FAIL ${name}: did not run to its end`);
      continue;
    }
    const own = body.slice(b.index + b[0].length + 1, e.index);
    if (e[1] === '0') {
      out.push(`PASS ${name} (${e[2]} s, ${b[1]})`);
    } else {
      failed.push(name);
      out.push(`FAIL ${name} rc=${e[1]} (${e[2]} s, ${b[1]}):`);
      for (const l of own.trimEnd().split('\n')) out.push(`    ${l}`);
    }
  }
  const bad = failed.concat(missing);
  out.push(bad.length ? `${bad.length} of ${cases.length} workloads FAILED: ${bad.join(' ')}`
                      : `all ${cases.length} workloads passed`);
  return {text: out.join('\n') + '\n', failed, missing};
}

// The workload port's text (ttyS1) -> null while running, else
// {kind: 'done'|'failed', rc, body, line, umount}.
export function parsePort(raw) {
  const text = raw.replace(/\r/g, '');
  const fail = text.match(/^==P9-(MOUNT|SETUP)-FAILED.*$/m);
  if (fail) return {kind: 'failed', line: fail[0]};
  const um = text.match(/^==P9-UMOUNT rc=(\d+)==$/m);
  const end = text.match(/^==P9-WORKLOAD-END rc=(\d+)==$/m);
  if (!um || !end) return null;
  const b = '==P9-WORKLOAD-BEGIN==\n';
  const body = text.slice(text.indexOf(b) + b.length, text.indexOf(end[0]));
  return {kind: 'done', rc: Number(end[1]), body, umount: um[1]};
}

// A trace in traces/FORMAT.md's format. frames: [{dir:'C'|'S', t: seconds, hex}].
export function writeTrace(file, {workload, workloadText, rc, kernel, mopts, server, transport, frames, startedAt}) {
  let offered = null, msize = null;
  for (const f of frames) {
    const type = parseInt(f.hex.slice(8, 10), 16);
    const m = () => Buffer.from(f.hex.slice(14, 22), 'hex').readUInt32LE(0);
    if (type === 100 && offered === null) offered = m();  // Tversion
    if (type === 101 && msize === null) msize = m();      // Rversion
  }
  const t0 = frames.length ? frames[0].t : 0;
  const head = [
    '# p9trace: 1',
    `# workload-rc: ${rc}`,
    `# workload: ${path.basename(workload, '.sh')}`,
    `# workload-sha256: ${crypto.createHash('sha256').update(workloadText).digest('hex').slice(0, 16)}`,
    `# kernel: ${kernel}`,
    `# mount-options: ${mopts}`,
    `# server: ${server}`,
    `# transport: ${transport}`,
    `# msize-offered: ${offered}`,
    `# msize: ${msize}`,
    `# recorded: ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '# connections: 1',
    `# frames: ${frames.length}`,
    '# note: written by traces/v86 without printer comments (p9trace print shows them)',
  ];
  const lines = frames.map((f) => `0 ${f.dir} ${(f.t - t0).toFixed(6)} ${f.hex}`);
  fs.writeFileSync(file, head.concat(lines).join('\n') + '\n');
}

// 9P2000.L message type numbers -> names (Linux include/net/9p/9p.h, enum p9_msg_t).
export const P9_TYPES = {
  8: 'Tstatfs', 12: 'Tlopen', 14: 'Tlcreate', 16: 'Tsymlink', 18: 'Tmknod', 20: 'Trename', 22: 'Treadlink',
  24: 'Tgetattr', 26: 'Tsetattr', 30: 'Txattrwalk', 32: 'Txattrcreate', 40: 'Treaddir', 50: 'Tfsync',
  52: 'Tlock', 54: 'Tgetlock', 70: 'Tlink', 72: 'Tmkdir', 74: 'Trenameat', 76: 'Tunlinkat', 100: 'Tversion',
  102: 'Tauth', 104: 'Tattach', 108: 'Tflush', 110: 'Twalk', 116: 'Tread', 118: 'Twrite', 120: 'Tclunk',
  122: 'Tremove',
};

// The page's handle9p timing of one phase ({type: {n, median, p90, total}}, ms)
// as table rows, largest total first, with each type's share of the total.
export function statsRows(types) {
  const rows = Object.entries(types).map(([t, s]) => ({type: P9_TYPES[t] || `type ${t}`, ...s}));
  rows.sort((a, b) => b.total - a.total);
  const all = rows.reduce((s, r) => s + r.total, 0);
  return rows.map((r) => ({...r, share: all ? r.total / all : 0}));
}

export function formatStats(types, indent = '  ') {
  const rows = statsRows(types);
  const n = rows.reduce((s, r) => s + r.n, 0), total = rows.reduce((s, r) => s + r.total, 0);
  const lines = [`${'type'.padEnd(12)} ${'count'.padStart(7)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ` +
                 `${'total ms'.padStart(10)} ${'share'.padStart(6)}`];
  for (const r of rows) {
    lines.push(`${r.type.padEnd(12)} ${String(r.n).padStart(7)} ${r.median.toFixed(3).padStart(10)} ` +
               `${r.p90.toFixed(3).padStart(8)} ${r.total.toFixed(1).padStart(10)} ${(100 * r.share).toFixed(1).padStart(5)}%`);
  }
  lines.push(`${'all'.padEnd(12)} ${String(n).padStart(7)} ${''.padStart(10)} ${''.padStart(8)} ${total.toFixed(1).padStart(10)}`);
  return lines.map((l) => indent + l).join('\n');
}

// The page's marks ({t: ms since the page's navigation start, line}) -> the
// boot times (s) and, per "bench: begin NAME" ... "bench: end NAME" pair, the
// phase's wall time as the page saw it (s).
export function markTimes(marks) {
  const at = (re) => (marks.find((m) => re.test(m.line)) || {}).t;
  const emulator = at(/^emulator$/), mount = at(/^==P9-WORKLOAD-BEGIN==/);
  const phases = {};
  const open = {};
  for (const m of marks) {
    const b = m.line.match(/^bench: (begin|end) (\S+)/);
    if (!b) continue;
    if (b[1] === 'begin') open[b[2]] = m.t;
    else if (open[b[2]] !== undefined) phases[b[2]] = (m.t - open[b[2]]) / 1000;
  }
  return {pageToMount: mount === undefined ? null : mount / 1000,
          emulatorToMount: mount === undefined || emulator === undefined ? null : (mount - emulator) / 1000, phases};
}
