// guest-worker.js: v86 in a dedicated worker with the OPFS server in the same
// thread (opfs/web/store.js), so each 9P request of the guest is answered
// within v86's own handle9p call, with no message to another thread: the way
// a page that runs its emulator in a worker (as container2wasm does) plugs in
// the server. Started by page.html with guest=worker.
//
// In:  {type:'boot', bios, bzimage, initrd, config, fs: 'opfs'|'builtin',
//       store, record, pageTimeOrigin}
//      {type:'close'}  let the store go (durable, files and lock released)
// Out: {type:'out', chunk}  what guest.js collected (P9Guest take()), every 100 ms
//      {type:'closed', error?}
'use strict';
importScripts('p9opfs-wasm.js', 'store.js', 'libv86.js', 'guest.js');

let store = null;
let guest = null;

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'boot') {
    boot(m);
  } else if (m.type === 'close') {
    const closed = store ? store.close() : Promise.resolve();
    closed.then(() => self.postMessage({type: 'closed'}), (err) => self.postMessage({type: 'closed', error: err.message}));
  }
};

// The store is opened first and v86 started once it is open, so that a store
// that cannot open says so (and at which step) before the guest waits on it.
async function boot(m) {
  // Events before the guest's collector exists, timed from the worker's start.
  let early = null;
  const event = (text) => {
    if (guest) return guest.event(text);
    const e = `${(performance.now() / 1000).toFixed(1)} s ${text}`;
    early = P9Guest.merge(early, {serial0: '', serial1: '', frames: [], events: [e], marks: []});
  };
  setInterval(() => {
    const chunk = P9Guest.merge(early, guest ? guest.take() : null);
    early = null;
    if (chunk) self.postMessage({type: 'out', chunk});
  }, 100);
  if (m.fs === 'opfs') {
    store = P9OpfsStore.start(m.store, {
      log: (text) => event(`p9opfs: ${text}`),
      onready: (report) => event(`server ready (in the guest's worker): ${report}`),
    });
    const slow = setInterval(() => event(`the OPFS store is not open yet: waiting for ${store.step}`), 20000);
    try {
      await store.ready;
    } catch (e) {
      event(`error: the OPFS store: ${e.message}`);  // the driver stops on "error:"
      return;
    } finally {
      clearInterval(slow);
    }
  }
  guest = P9Guest.boot({
    V86: self.V86, bios: m.bios, bzimage: m.bzimage, initrd: m.initrd, config: m.config,
    handle9p: store ? store.handle9p : null, record: m.record, pageTimeOrigin: m.pageTimeOrigin,
  });
  // A request that waits more than 5 s for the store is reported, with what
  // the store waits for (a hang then names its cause in the driver's output).
  if (store) {
    setInterval(() => {
      const st = store.status();
      if (st.waitedMs > 5000) {
        guest.event(`store: ${st.queued} request(s) waiting, the oldest ${(st.waitedMs / 1000).toFixed(1)} s; ` +
                    `top-up ${st.topping ? `waiting for ${st.step}` : 'not running'}; pool wants ${st.poolWanted}; ` +
                    `emulator ${guest.emu.is_running() ? 'running' : 'stopped'}`);
      }
    }, 10000);
  }
  guest.event(`emulator started in a worker (${store ? 'OPFS server in the same worker, handle9p answered synchronously'
                                                      : "v86's built-in 9P server, in-memory file system"})`);
}
