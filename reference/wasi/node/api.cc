// The C API of p9::wasi::Host for the Emscripten build (p9wasi-host.js): one
// function per wasi_snapshot_preview1 file call, with witx's own argument
// list and layouts (WebAssembly/WASI phases/snapshot/witx/
// wasi_snapshot_preview1.witx, typenames.witx), except that every pointer is
// into THIS module's memory. The import layer (imports.mjs) copies a
// program's strings and buffers here, calls, and copies the results back;
// it knows no file-system rule. Each function returns the WASI errno.
//
// Differences from the witx signatures, all in how buffers travel:
//  - fd_read/fd_pread/fd_write/fd_pwrite take one buffer (ptr, len) instead of
//    an iovec array: the layer gathers a program's iovecs into one buffer
//    before a write and scatters the bytes read after a read (readv(2) and
//    writev(2) move their buffers as one, and Host::fd_write gathers anyway);
//  - path_readlink writes the whole target's length as bufused only up to
//    buf_len, as witx (no error for a short buffer).
//
// The store: a model::Model of the module's own, made by each p9w_init, or
// the one the module that links this file gives (api.h use_store: the OPFS
// build, opfs/wasm/main.cc); the preopen is a directory of it (p9w_init).
// fd_write on fds 1 and 2 calls Module.p9wOutput(fd, bytes).
#include "reference/wasi/node/api.h"

#include <emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "reference/model/model.h"
#include "reference/wasi/host.h"

EM_JS(void, p9w_emit, (std::uint32_t fd, const std::uint8_t* p, std::uint32_t n),
      { Module.p9wOutput(fd, HEAPU8.slice(p, p + n)); });

namespace {

using namespace p9::wasi;

std::unique_ptr<p9::model::Model> g_own;  // p9w_init's own model, when no store is given
p9::model::Model* g_given = nullptr;      // api::use_store's
p9::model::Model* g_store = nullptr;      // the Host's store
std::unique_ptr<Host> g_host;

std::uint16_t code(Errno e) { return static_cast<std::uint16_t>(e); }
std::string_view sv(const char* p, std::uint32_t n) { return std::string_view(p, n); }

template <class T>
void put(void* at, T v) {
  std::memcpy(at, &v, sizeof v);
}

// `$filestat`: 64 bytes (dev, ino, filetype at 16, nlink at 24, size, atim,
// mtim, ctim).
void put_filestat(std::uint8_t* at, const Filestat& s) {
  std::memset(at, 0, 64);
  put(at + 0, s.dev);
  put(at + 8, s.ino);
  put(at + 16, static_cast<std::uint8_t>(s.filetype));
  put(at + 24, s.nlink);
  put(at + 32, s.size);
  put(at + 40, s.atim);
  put(at + 48, s.mtim);
  put(at + 56, s.ctim);
}

template <class T, class Put>
std::uint16_t out(const Result<T>& r, Put p) {
  if (!r.ok()) return code(r.error());
  p(*r);
  return 0;
}

}  // namespace

void p9::wasi::api::use_store(p9::model::Model* store) {
  g_host.reset();
  g_given = store;
  g_store = store;
  g_own.reset();
}

extern "C" {

// Makes the Host whose preopen (fd 3) is the store's directory /`dir`, shown
// to the program as `name`: on a fresh model of its own, or on the store
// given to api::use_store, where `dir` may already exist (its contents are
// the program's). 0 or the WASI errno.
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_init(const char* dir, const char* name) {
  g_host.reset();
  if (!g_given) {
    g_own = std::make_unique<p9::model::Model>();
    g_store = g_own.get();
  }
  auto h = Host::in_directory(*g_store, p9::fs::Cred{0, 0, {}}, dir, name,
                              g_given ? Host::Dir::NewOrExisting : Host::Dir::New);
  if (!h.ok()) return code(h.error());
  g_host = std::move(*h);
  g_host->set_output([](Fd fd, std::string_view s) {
    p9w_emit(fd, reinterpret_cast<const std::uint8_t*>(s.data()), static_cast<std::uint32_t>(s.size()));
  });
  return 0;
}

// The model's invariants after a run: "" when they hold (for the tests).
EMSCRIPTEN_KEEPALIVE const char* p9w_check() {
  static std::string last;
  last = g_store ? g_store->check_invariants() : "no store";
  return last.c_str();
}

// Zeroed, so that a result shorter than its buffer copies back no stale bytes.
// WASI's name of an errno (errno.def), for traces.
EMSCRIPTEN_KEEPALIVE const char* p9w_errno_name(std::uint32_t code) {
  return errno_name(static_cast<std::uint16_t>(code));
}

EMSCRIPTEN_KEEPALIVE void* p9w_alloc(std::uint32_t n) { return std::calloc(n ? n : 1, 1); }
EMSCRIPTEN_KEEPALIVE void p9w_free(void* p) { std::free(p); }

EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_advise(Fd fd, std::uint64_t off, std::uint64_t len,
                                                 std::uint32_t advice) {
  auto a = to_advice(advice);
  if (!a) return code(Errno::INVAL);
  return code(g_host->fd_advise(fd, off, len, *a));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_allocate(Fd fd, std::uint64_t off, std::uint64_t len) {
  return code(g_host->fd_allocate(fd, off, len));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_close(Fd fd) { return code(g_host->fd_close(fd)); }
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_sock_call(Fd fd) { return code(g_host->sock_call(fd)); }
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_datasync(Fd fd) { return code(g_host->fd_datasync(fd)); }
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_sync(Fd fd) { return code(g_host->fd_sync(fd)); }

// `$fdstat`: 24 bytes (filetype, flags at 2, rights_base at 8, inheriting at 16).
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_fdstat_get(Fd fd, std::uint8_t* at) {
  return out(g_host->fd_fdstat_get(fd), [&](const Fdstat& s) {
    std::memset(at, 0, 24);
    put(at, static_cast<std::uint8_t>(s.filetype));
    put(at + 2, s.flags);
    put(at + 8, s.rights_base);
    put(at + 16, s.rights_inheriting);
  });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_fdstat_set_flags(Fd fd, std::uint32_t flags) {
  if (flags > 0xffff) return code(Errno::INVAL);
  return code(g_host->fd_fdstat_set_flags(fd, static_cast<std::uint16_t>(flags)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_fdstat_set_rights(Fd fd, std::uint64_t base, std::uint64_t inh) {
  return code(g_host->fd_fdstat_set_rights(fd, base, inh));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_filestat_get(Fd fd, std::uint8_t* at) {
  return out(g_host->fd_filestat_get(fd), [&](const Filestat& s) { put_filestat(at, s); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_filestat_set_size(Fd fd, std::uint64_t size) {
  return code(g_host->fd_filestat_set_size(fd, size));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_filestat_set_times(Fd fd, std::uint64_t atim, std::uint64_t mtim,
                                                             std::uint32_t fst) {
  if (fst > 0xffff) return code(Errno::INVAL);
  return code(g_host->fd_filestat_set_times(fd, atim, mtim, static_cast<std::uint16_t>(fst)));
}

EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_read(Fd fd, std::uint8_t* buf, std::uint32_t len,
                                               std::uint32_t* n) {
  const Iovec v(buf, len);
  return out(g_host->fd_read(fd, std::span<const Iovec>(&v, 1)),
             [&](std::size_t k) { put(n, static_cast<std::uint32_t>(k)); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_pread(Fd fd, std::uint8_t* buf, std::uint32_t len,
                                                std::uint64_t off, std::uint32_t* n) {
  const Iovec v(buf, len);
  return out(g_host->fd_pread(fd, std::span<const Iovec>(&v, 1), off),
             [&](std::size_t k) { put(n, static_cast<std::uint32_t>(k)); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_write(Fd fd, const std::uint8_t* buf, std::uint32_t len,
                                                std::uint32_t* n) {
  const Ciovec v(buf, len);
  return out(g_host->fd_write(fd, std::span<const Ciovec>(&v, 1)),
             [&](std::size_t k) { put(n, static_cast<std::uint32_t>(k)); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_pwrite(Fd fd, const std::uint8_t* buf, std::uint32_t len,
                                                 std::uint64_t off, std::uint32_t* n) {
  const Ciovec v(buf, len);
  return out(g_host->fd_pwrite(fd, std::span<const Ciovec>(&v, 1), off),
             [&](std::size_t k) { put(n, static_cast<std::uint32_t>(k)); });
}

// `$prestat`: 8 bytes (tag 0 = dir, name_len at 4).
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_prestat_get(Fd fd, std::uint8_t* at) {
  return out(g_host->fd_prestat_get(fd), [&](const Prestat& p) {
    std::memset(at, 0, 8);
    put(at + 4, p.name_len);
  });
}
// witx fd_prestat_dir_name: the name, not NUL-terminated; a buffer shorter
// than the name is ENAMETOOLONG (as wasmtime's preview1).
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_prestat_dir_name(Fd fd, char* buf, std::uint32_t len) {
  auto r = g_host->fd_prestat_dir_name(fd);
  if (!r.ok()) return code(r.error());
  if (r->size() > len) return code(Errno::NAMETOOLONG);
  std::memcpy(buf, r->data(), r->size());
  return 0;
}

EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_readdir(Fd fd, std::uint8_t* buf, std::uint32_t len,
                                                  std::uint64_t cookie, std::uint32_t* used) {
  return out(g_host->fd_readdir(fd, std::span<std::uint8_t>(buf, len), cookie),
             [&](std::size_t k) { put(used, static_cast<std::uint32_t>(k)); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_renumber(Fd from, Fd to) {
  return code(g_host->fd_renumber(from, to));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_seek(Fd fd, std::int64_t off, std::uint32_t whence,
                                               std::uint64_t* pos) {
  auto w = to_whence(whence);
  if (!w) return code(Errno::INVAL);
  return out(g_host->fd_seek(fd, off, *w), [&](std::uint64_t p) { put(pos, p); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_fd_tell(Fd fd, std::uint64_t* pos) {
  return out(g_host->fd_tell(fd), [&](std::uint64_t p) { put(pos, p); });
}

EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_create_directory(Fd fd, const char* p, std::uint32_t n) {
  return code(g_host->path_create_directory(fd, sv(p, n)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_filestat_get(Fd fd, std::uint32_t flags, const char* p,
                                                         std::uint32_t n, std::uint8_t* at) {
  return out(g_host->path_filestat_get(fd, flags, sv(p, n)), [&](const Filestat& s) { put_filestat(at, s); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_filestat_set_times(Fd fd, std::uint32_t flags, const char* p,
                                                               std::uint32_t n, std::uint64_t atim,
                                                               std::uint64_t mtim, std::uint32_t fst) {
  if (fst > 0xffff) return code(Errno::INVAL);
  return code(
      g_host->path_filestat_set_times(fd, flags, sv(p, n), atim, mtim, static_cast<std::uint16_t>(fst)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_link(Fd ofd, std::uint32_t oflags, const char* op,
                                                 std::uint32_t on, Fd nfd, const char* np, std::uint32_t nn) {
  return code(g_host->path_link(ofd, oflags, sv(op, on), nfd, sv(np, nn)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_open(Fd fd, std::uint32_t dirflags, const char* p,
                                                 std::uint32_t n, std::uint32_t oflags, std::uint64_t base,
                                                 std::uint64_t inh, std::uint32_t fdflags, Fd* opened) {
  if (oflags > 0xffff || fdflags > 0xffff) return code(Errno::INVAL);
  return out(g_host->path_open(fd, dirflags, sv(p, n), static_cast<std::uint16_t>(oflags), base, inh,
                               static_cast<std::uint16_t>(fdflags)),
             [&](Fd f) { put(opened, f); });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_readlink(Fd fd, const char* p, std::uint32_t n, char* buf,
                                                     std::uint32_t len, std::uint32_t* used) {
  return out(g_host->path_readlink(fd, sv(p, n)), [&](const std::string& t) {
    const std::uint32_t k = t.size() < len ? static_cast<std::uint32_t>(t.size()) : len;
    std::memcpy(buf, t.data(), k);
    put(used, k);
  });
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_remove_directory(Fd fd, const char* p, std::uint32_t n) {
  return code(g_host->path_remove_directory(fd, sv(p, n)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_rename(Fd ofd, const char* op, std::uint32_t on, Fd nfd,
                                                   const char* np, std::uint32_t nn) {
  return code(g_host->path_rename(ofd, sv(op, on), nfd, sv(np, nn)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_symlink(const char* op, std::uint32_t on, Fd fd, const char* np,
                                                    std::uint32_t nn) {
  return code(g_host->path_symlink(sv(op, on), fd, sv(np, nn)));
}
EMSCRIPTEN_KEEPALIVE std::uint16_t p9w_path_unlink_file(Fd fd, const char* p, std::uint32_t n) {
  return code(g_host->path_unlink_file(fd, sv(p, n)));
}

}  // extern "C"
