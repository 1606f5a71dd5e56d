// guest.js: boots the test guest in v86 and collects what it says, wherever v86
// runs: on the page (page.html, guest=page) or in a dedicated worker with the
// OPFS server in the same thread (guest-worker.js, guest=worker). A classic
// script: it defines self.P9Guest, for a <script> tag and for importScripts.
//
// P9Guest.boot({V86, bios, bzimage, initrd, config, handle9p, record, onLine})
//   bios, bzimage, initrd: ArrayBuffers; config: {cmdline, memory} (config.json);
//   handle9p: the 9P server as v86's filesystem.handle9p(reqbuf, reply), or
//   null for v86's own server over an empty in-memory file system (the V86
//   option `filesystem: {}` with neither handle9p nor proxy_url:
//   src/browser/starter.js creates `new FS(new MemoryFileStorage())` for
//   lib/9p.js Virtio9p; v86 docs/filesystem.md);
//   record: every 9P frame as the guest sent it and as the server answered;
//   onLine(text): each line of ttyS1 (the workload's port, traces/guest/init.sh).
// Returns {emu, take()}: take() hands over what was collected since the last
// call, {serial0, serial1 (latin1 text), frames, events, marks}, for the driver
// (chromium.mjs, POST /out).
//
// Timing: the lines of ttyS1 that start with "==P9-" or "bench: " become marks
// {t, line}; "emulator" marks the V86 constructor. With a handle9p, every
// request -> reply is timed here (both ends in this thread) and a
// "handle9p-stats: {...}" event is sent when the workload ends: per phase (the
// NAME of the last "bench: begin NAME" line, "" outside one) and 9P message
// type, count, median, p90, total (ms). t is in ms of the page's clock
// (performance.now() of the page: a worker adds its timeOrigin's offset), so
// that marks from the page and from a worker compare. The page is served
// cross-origin isolated (COOP/COEP, chromium.mjs), so performance.now() is not
// coarsened to 100 us (HR-Time, "coarsen time").
'use strict';

(function () {
function boot({V86, bios, bzimage, initrd, config, handle9p, record, onLine, pageTimeOrigin}) {
  const clockOffset = pageTimeOrigin === undefined ? 0 : performance.timeOrigin - pageTimeOrigin;
  const now = () => performance.now() + clockOffset;
  const t0 = now();
  let out = {serial0: [], serial1: [], frames: [], events: [], marks: []};
  const event = (text) => out.events.push(`${((now() - t0) / 1000).toFixed(1)} s ${text}`);
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');

  // Request -> reply of every handle9p call, per bench phase and 9P message
  // type (ms): two clock reads and an array push per request, small against
  // the request being measured.
  const stats = new Map();  // `${benchPhase}\t${type}` -> [ms]
  let benchPhase = '';
  const summary = () => {
    const r = {};
    const ms = (x) => Math.round(x * 1000) / 1000;
    for (const [key, a] of stats) {
      const [ph, type] = key.split('\t');
      a.sort((x, y) => x - y);
      let total = 0;
      for (const x of a) total += x;
      (r[ph] = r[ph] || {})[type] = {n: a.length, median: ms(a[a.length >> 1]),
                                     p90: ms(a[Math.min(a.length - 1, Math.floor(a.length * 0.9))]), total: ms(total)};
    }
    return r;
  };
  const timed = handle9p && ((reqbuf, reply) => {
    const req = reqbuf.subarray(0, new DataView(reqbuf.buffer, reqbuf.byteOffset).getUint32(0, true));
    if (record) out.frames.push({dir: 'C', t: now() / 1000, hex: hex(req)});
    const key = `${benchPhase}\t${req[4]}`;
    const t = performance.now();
    handle9p(req, (r) => {
      const dt = performance.now() - t;
      const a = stats.get(key);
      if (a) a.push(dt);
      else stats.set(key, [dt]);
      if (record) out.frames.push({dir: 'S', t: now() / 1000, hex: hex(r)});
      reply(r);
    });
  });

  const line = (text) => {
    if (/^(==P9-|bench: )/.test(text)) {
      out.marks.push({t: now(), line: text});
      const b = text.match(/^bench: (begin|end) (\S+)/);
      if (b) benchPhase = b[1] === 'begin' ? b[2] : '';
      if (handle9p && text.startsWith('==P9-WORKLOAD-END')) event(`handle9p-stats: ${JSON.stringify(summary())}`);
    }
    if (onLine) onLine(text);
  };

  out.marks.push({t: now(), line: 'emulator'});
  const emu = new V86({
    wasm_path: 'v86.wasm',
    bios: {buffer: bios}, bzimage: {buffer: bzimage}, initrd: {buffer: initrd},
    cmdline: config.cmdline, memory_size: config.memory,
    acpi: false, uart1: true, autostart: true,
    disable_keyboard: true, disable_mouse: true, disable_speaker: true,
    filesystem: timed ? {handle9p: timed} : {},
  });
  emu.add_listener('serial0-output-byte', (b) => out.serial0.push(b));
  let partial = '';
  emu.add_listener('serial1-output-byte', (b) => {
    out.serial1.push(b);
    if (b !== 10) {
      if (b !== 13) partial += String.fromCharCode(b);
      return;
    }
    const text = partial;
    partial = '';
    line(text);
  });
  const latin1 = (a) => new TextDecoder('latin1').decode(new Uint8Array(a));
  return {
    emu,
    event,
    take() {
      const o = out;
      out = {serial0: [], serial1: [], frames: [], events: [], marks: []};
      return {serial0: latin1(o.serial0), serial1: latin1(o.serial1), frames: o.frames, events: o.events, marks: o.marks};
    },
  };
}

// Appends chunk b (a take() result) to a: one POST body for several chunks
// (either may be null).
function merge(a, b) {
  if (!a) return b;
  if (!b) return a;
  return {serial0: a.serial0 + b.serial0, serial1: a.serial1 + b.serial1, frames: a.frames.concat(b.frames),
          events: a.events.concat(b.events), marks: a.marks.concat(b.marks)};
}

self.P9Guest = {boot, merge};
})();
