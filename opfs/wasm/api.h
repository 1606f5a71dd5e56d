// The boundary between the OPFS build's wasm module and the JavaScript that
// hosts it in a dedicated worker (opfs/web/worker.js).
//
// Exported by the module (C functions; JS calls them as Module._p9o_*):
//   start-up, in this order, from the worker:
//     p9o_slot_exists(slot)      once per data file "d<N>" found in the store's
//                                directory (its sync access handle already open)
//     p9o_open_store()           recovers the store (checkpoint + journal, fsck);
//                                0, or -errno with p9o_message() saying why
//   the data-file pool, between requests:
//     p9o_pool_wanted()          how many data files to create now
//     p9o_pool_next_slot()       the slot number for the next one ("d<N>")
//     p9o_pool_add(slot)         it exists and its handle is open
//   9P sessions (one per connection), one request at a time:
//     p9o_session_open()         a session id > 0
//     p9o_session_close(id)      clunks everything the session holds
//     p9o_buffer(len)            where to put a request of len bytes
//     p9o_handle(id, len)        handles the request in p9o_buffer; returns the
//                                reply's length; the reply is at p9o_reply()
//   p9o_idle()                   between requests: a checkpoint if one is due
//   p9o_close_store()            sessions ended, everything durable: before the
//                                worker closes its handles (Server.close())
//   p9o_message()                the last error or report as text
//   extensions (added with the worker):
//     p9o_session_msize(id)      the largest request the session accepts now
//                                (negotiated msize, or the server's maximum
//                                before Tversion); the page's WebSocket front
//                                end refuses larger messages with it
//     p9o_pool_empty()           1 when no free data slot is left: the worker
//                                then holds requests until the top-up adds one
//     p9o_pool_retired()         a data slot the store released (its inode is
//                                gone, durably): the worker closes its handle
//                                and removes "d<N>" (asynchronously); -1: none
//     p9o_check_files(slot, n)   a self-check of JsFiles on a scratch handle the
//                                worker put at `slot` (not a store slot): n bytes
//                                written and read back, truncate, flush; 0, or
//                                -errno (-ENOSPC past the quota), p9o_message() says
//     p9o_handle_direct(id, len) p9o_handle, except that when the reply is an
//                                Rread of a file's bytes, they are not copied
//                                into wasm memory: p9o_direct_count() >= 0 says
//                                so, and the caller sends the reply's first 11
//                                bytes (size type tag count) followed by count
//                                bytes it reads itself from data slot
//                                p9o_direct_slot() at p9o_direct_offset()
//                                (zeros past the file's end). -1: the reply at
//                                p9o_reply() is complete.
//     p9o_pool_target(n)         keep n free data files ready instead of 16 (a
//                                WASI program run in one call, with no top-up
//                                until it ends, may fill that many new files)
//   the WASI front end (reference/wasi/node/api.cc, linked in): its p9w_*
//   functions make a p9::wasi::Host on this store once it is open (p9w_init:
//   the preopen is a directory of the store, made when absent) and answer the
//   file calls of wasi_snapshot_preview1; the import object over them is
//   reference/wasi/node/imports.mjs (web/worker.js runs programs with it).
//
// The module (opfs/CMakeLists.txt) is built with -sMODULARIZE: p9opfs-wasm.js
// defines a factory P9Opfs(moduleArg) returning a Promise of the module;
// moduleArg.p9oHandles is the worker's table of sync access handles, indexed
// by slot, which library.js reads.
//
// Imported from opfs/wasm/library.js (synchronous sync-access-handle calls; a
// slot is an index into the worker's table of open handles; offsets are
// doubles, exact below 2^53, which bounds an OPFS file's size here):
//   int    p9o_js_read(slot, off, ptr, len)     bytes read, or -errno
//   int    p9o_js_write(slot, off, ptr, len)    0, or -errno (-ENOSPC for QuotaExceededError)
//   int    p9o_js_truncate(slot, size)          0, or -errno
//   double p9o_js_size(slot)                    the size, or -errno
//   int    p9o_js_flush(slot)                   0, or -errno
#pragma once

#include <cstdint>

extern "C" {
// exported
void p9o_slot_exists(std::uint32_t slot);
int p9o_open_store();
std::uint32_t p9o_pool_wanted();
std::uint32_t p9o_pool_next_slot();
void p9o_pool_add(std::uint32_t slot);
int p9o_pool_empty();
int p9o_pool_retired();
int p9o_session_open();
void p9o_session_close(int id);
int p9o_session_msize(int id);
std::uint8_t* p9o_buffer(std::uint32_t len);
int p9o_handle(int id, std::uint32_t len);
const std::uint8_t* p9o_reply();
int p9o_idle();
int p9o_close_store();
const char* p9o_message();
int p9o_check_files(std::uint32_t slot, std::uint32_t bytes);
int p9o_handle_direct(int id, std::uint32_t len);
int p9o_direct_count();
std::uint32_t p9o_direct_slot();
double p9o_direct_offset();
void p9o_pool_target(std::uint32_t n);

// imported
int p9o_js_read(std::uint32_t slot, double off, std::uint8_t* out, std::uint32_t len);
int p9o_js_write(std::uint32_t slot, double off, const std::uint8_t* data, std::uint32_t len);
int p9o_js_truncate(std::uint32_t slot, double size);
double p9o_js_size(std::uint32_t slot);
int p9o_js_flush(std::uint32_t slot);
}
