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

function boot(m) {
  const early = [];  // events before the guest's collector exists
  const event = (text) => (guest ? guest.event(text) : early.push(text));
  if (m.fs === 'opfs') {
    store = P9OpfsStore.start(m.store, {
      log: (text) => event(`p9opfs: ${text}`),
      onready: (report) => event(`server ready (in the guest's worker): ${report}`),
      onfail: (text) => event(`error: the OPFS store: ${text}`),  // the driver stops on "error:"
    });
  }
  guest = P9Guest.boot({
    V86: self.V86, bios: m.bios, bzimage: m.bzimage, initrd: m.initrd, config: m.config,
    handle9p: store ? store.handle9p : null, record: m.record, pageTimeOrigin: m.pageTimeOrigin,
  });
  for (const text of early) guest.event(text);
  guest.event(`emulator started in a worker (${store ? 'OPFS server in the same worker, handle9p answered synchronously'
                                                      : "v86's built-in 9P server, in-memory file system"})`);
  setInterval(() => self.postMessage({type: 'out', chunk: guest.take()}), 100);
}
