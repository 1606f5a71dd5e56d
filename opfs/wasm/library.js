// The imports of opfs/wasm/api.h: synchronous calls on the worker's
// FileSystemSyncAccessHandle objects (WHATWG File System Standard,
// "The FileSystemSyncAccessHandle interface": read(buffer, {at}),
// write(buffer, {at}), truncate(newSize), getSize(), flush()).
// Module.p9oHandles is the table of open handles indexed by slot; the worker
// fills it (opfs/web/worker.js). Errors become negative errnos:
// QuotaExceededError (write/truncate past the origin's quota, WHATWG File
// System Standard, write() and truncate() steps) -> -ENOSPC (28), anything
// else (a missing or closed handle, InvalidStateError, ...) -> -EIO (5).
mergeInto(LibraryManager.library, {
  $p9oCall: function(slot, f) {
    var table = Module['p9oHandles'];
    var h = table ? table[slot] : undefined;
    if (!h) return -5;
    try {
      return f(h);
    } catch (e) {
      if (e && e.name === 'QuotaExceededError') return -28;
      if (Module['p9oOnError']) Module['p9oOnError'](slot, e);
      return -5;
    }
  },

  p9o_js_read__deps: ['$p9oCall'],
  p9o_js_read: function(slot, off, ptr, len) {
    return p9oCall(slot, function(h) {
      return h.read(HEAPU8.subarray(ptr, ptr + len), {at: off});
    });
  },

  // write() may write fewer bytes than given; the rest is written in further
  // calls, so 0 means all len bytes are in the file.
  p9o_js_write__deps: ['$p9oCall'],
  p9o_js_write: function(slot, off, ptr, len) {
    return p9oCall(slot, function(h) {
      var done = 0;
      while (done < len) {
        var n = h.write(HEAPU8.subarray(ptr + done, ptr + len), {at: off + done});
        if (!(n > 0)) return -5;
        done += n;
      }
      return 0;
    });
  },

  p9o_js_truncate__deps: ['$p9oCall'],
  p9o_js_truncate: function(slot, size) {
    return p9oCall(slot, function(h) {
      h.truncate(size);
      return 0;
    });
  },

  p9o_js_size__deps: ['$p9oCall'],
  p9o_js_size: function(slot) {
    return p9oCall(slot, function(h) {
      return h.getSize();
    });
  },

  p9o_js_flush__deps: ['$p9oCall'],
  p9o_js_flush: function(slot) {
    return p9oCall(slot, function(h) {
      h.flush();
      return 0;
    });
  },
});
