// The OPFS build's wasm module: the exports of api.h over one reference
// server (reference/server/session.h) whose backend is the store kept in
// JsFiles (the worker's sync access handles). Everything here runs
// synchronously on the worker's thread, one call at a time; the worker does
// the asynchronous OPFS work (creating files, opening handles) between calls.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "opfs/store/store.h"
#include "opfs/wasm/api.h"
#include "opfs/wasm/js_files.h"
#include "reference/model/model.h"
#include "reference/server/session.h"
#include "reference/wasi/node/api.h"

namespace p9::opfs {

// ---- the backend ----
// The store (store.h) over the worker's files: the model's semantics, its
// metadata in the journal and checkpoints, each file's bytes in a data file.
// `report` gets the recovery summary (and what fsck repaired, if anything);
// null + *error when the store cannot be opened.
std::unique_ptr<model::Model> make_store_backend(std::shared_ptr<Files> files, std::string* report,
                                                 std::string* error) {
  OpenReport r;
  std::unique_ptr<model::Model> m = open_store(std::move(files), {}, &r, error);
  if (!m) return nullptr;
  *report = r.summary;
  if (!r.fsck.empty()) *report += "; store repaired: " + r.fsck;
  return m;
}

// Between requests: nothing is left to do. Checkpoints are taken at the end
// of the call that made one due (store.cc), so that a store never waits on
// an idle moment that may not come.
int store_idle() { return 0; }

namespace {

struct State {
  std::shared_ptr<JsFiles> files = std::make_shared<JsFiles>();
  std::unique_ptr<model::Model> backend;
  std::unique_ptr<server::Server> server;
  std::map<int, std::unique_ptr<server::Session>> sessions;
  int next_session = 1;
  std::vector<std::uint8_t> request, reply;
  JsFiles::Deferred direct;  // the last p9o_handle_direct's read, if the caller is to do it
  std::string message;
};

State& state() {
  static State s;
  return s;
}

}  // namespace
}  // namespace p9::opfs

using p9::opfs::state;

extern "C" {

void p9o_slot_exists(std::uint32_t slot) { state().files->add(slot); }

int p9o_open_store() {
  auto& s = state();
  if (s.server) {
    s.message = "the store is already open";
    return -EALREADY;
  }
  std::string report, error;
  s.backend = p9::opfs::make_store_backend(s.files, &report, &error);
  if (!s.backend) {
    s.message = error.empty() ? "the store could not be opened" : error;
    return -EIO;
  }
  s.server = std::make_unique<p9::server::Server>(*s.backend);
  // The WASI front end's C API (reference/wasi/node/api.cc, linked into this
  // module) makes its Hosts on the same store: a WASI program run in the
  // worker (web/worker.js) sees what 9P clients see, and keeps it.
  p9::wasi::api::use_store(s.backend.get());
  s.message = report;
  return 0;
}

std::uint32_t p9o_pool_wanted() { return static_cast<std::uint32_t>(state().files->wanted()); }
std::uint32_t p9o_pool_next_slot() { return state().files->next_slot(); }
void p9o_pool_add(std::uint32_t slot) { state().files->add(slot); }
// (extension, api.h) 1 when no free data slot is left: the worker then waits
// for the top-up before it hands the store another request.
int p9o_pool_empty() { return state().files->pool_empty() ? 1 : 0; }
// (extension, api.h) How many free data files the worker keeps ready
// (Files::set_pool_target; 16 unless set).
void p9o_pool_target(std::uint32_t n) { state().files->set_pool_target(n); }
// (extension, api.h) A released data slot whose handle the worker closes and
// whose file it removes, or -1.
int p9o_pool_retired() {
  auto& s = state();
  return s.files ? static_cast<int>(s.files->take_retired()) : -1;
}

int p9o_session_open() {
  auto& s = state();
  if (!s.server) return -EBADF;
  int id = s.next_session++;
  s.sessions.emplace(id, std::make_unique<p9::server::Session>(*s.server, s.server->next_connection_id()));
  return id;
}

void p9o_session_close(int id) { state().sessions.erase(id); }

// (extension, api.h) the largest request the session accepts now: the
// negotiated msize, or the server's maximum before Tversion. -EBADF for an
// unknown session.
int p9o_session_msize(int id) {
  auto& s = state();
  auto it = s.sessions.find(id);
  if (it == s.sessions.end()) return -EBADF;
  return static_cast<int>(it->second->msize());
}

std::uint8_t* p9o_buffer(std::uint32_t len) {
  auto& s = state();
  s.request.resize(len);
  return s.request.data();
}

int p9o_handle(int id, std::uint32_t len) {
  auto& s = state();
  auto it = s.sessions.find(id);
  if (it == s.sessions.end() || len > s.request.size()) return -EBADF;
  s.reply.clear();
  it->second->handle(s.request.data(), len, s.reply);
  return static_cast<int>(s.reply.size());
}

// (extension, api.h) p9o_handle, but an Rread's data is left for the
// caller to read from the data file straight into the reply it sends
// (p9o_direct_*): no copy through wasm memory.
int p9o_handle_direct(int id, std::uint32_t len) {
  auto& s = state();
  s.files->defer_reads(true);
  int n = p9o_handle(id, len);
  p9::opfs::JsFiles::Deferred d = s.files->deferred();
  s.files->defer_reads(false);
  s.direct = {};
  if (!d.set) return n;
  // Rread: size[4] type[1] tag[2] count[4] data[count] (intro(5) read(5)).
  constexpr std::size_t kHeader = 11;
  bool rread = n >= static_cast<int>(kHeader) && s.reply[4] == 117 &&
               static_cast<std::size_t>(n) == kHeader + d.len && d.out == s.reply.data() + kHeader;
  if (rread) {
    s.direct = d;
    return n;
  }
  // Not the Rread it was meant for (an error after the read): read it here,
  // so that the reply holds what it says.
  (void)s.files->read(d.slot, d.off, d.out, d.len);
  return n;
}
int p9o_direct_count() { return state().direct.set ? static_cast<int>(state().direct.len) : -1; }
std::uint32_t p9o_direct_slot() { return state().direct.slot; }
double p9o_direct_offset() { return static_cast<double>(state().direct.off); }

const std::uint8_t* p9o_reply() { return state().reply.data(); }

int p9o_idle() { return p9::opfs::store_idle(); }

// (extension, api.h) before the page lets the store go (p9opfs.js
// Server.close()): every session ends (its fids clunked, as at a lost
// connection) and every pending change is recorded and made durable
// (Model::flush). 0, or -errno with p9o_message() saying why. Requests after
// it are the caller's error: the worker refuses them.
int p9o_close_store() {
  auto& s = state();
  s.sessions.clear();
  p9::wasi::api::use_store(nullptr);  // a WASI program's open files, closed as its fids are
  if (!s.backend) return -EBADF;
  p9::Errno e = s.backend->flush();
  if (e == p9::Errno::OK) return 0;
  const char* name = p9::errno_name(static_cast<std::uint32_t>(e));
  s.message = std::string("flush: ") + (name ? name : std::to_string(static_cast<int>(e)));
  return -static_cast<int>(e);
}

const char* p9o_message() { return state().message.c_str(); }

// (extension, api.h) JsFiles against a real handle, outside the store: the
// worker puts a scratch file's handle at `slot` (not a store slot) and asks
// for `bytes` bytes to be written at offset 4093 (not block-aligned) and read
// back, the gap before them to read as zeros, a truncate to 10 and a flush.
int p9o_check_files(std::uint32_t slot, std::uint32_t bytes) {
  auto& s = state();
  p9::opfs::JsFiles& f = *s.files;
  auto fail = [&](const std::string& what, p9::Errno e) {
    const char* name = p9::errno_name(static_cast<std::uint32_t>(e));
    s.message = what + ": " + (name ? name : std::to_string(static_cast<int>(e)));
    return -static_cast<int>(e);
  };
  auto wrong = [&](const std::string& what) {
    s.message = what;
    return -EIO;
  };
  constexpr std::uint64_t kOff = 4093;
  std::vector<std::uint8_t> data(bytes);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  if (auto r = f.truncate(slot, 0); !r) return fail("truncate to 0", r.error());
  if (auto r = f.write(slot, kOff, data.data(), data.size()); !r) return fail("write", r.error());
  auto size = f.size(slot);
  if (!size) return fail("size", size.error());
  if (*size != kOff + bytes) return wrong("size after the write is " + std::to_string(*size));
  std::vector<std::uint8_t> back(data.size() + 100);
  auto n = f.read(slot, kOff, back.data(), back.size());
  if (!n) return fail("read", n.error());
  if (*n != data.size() || std::memcmp(back.data(), data.data(), data.size()) != 0)
    return wrong("read back " + std::to_string(*n) + " bytes, not the " + std::to_string(bytes) + " written");
  std::uint8_t gap[64];
  auto g = f.read(slot, 0, gap, sizeof gap);
  if (!g) return fail("read of the gap", g.error());
  for (std::size_t i = 0; i < *g; ++i)
    if (gap[i] != 0) return wrong("the gap before the data does not read as zeros");
  if (auto r = f.truncate(slot, 10); !r) return fail("truncate to 10", r.error());
  auto small = f.size(slot);
  if (!small || *small != 10) return wrong("size after truncate to 10 is not 10");
  if (auto r = f.flush(slot); !r) return fail("flush", r.error());
  s.message = "JsFiles: " + std::to_string(bytes) +
              " bytes written at 4093 and read back, gap zeros, truncate, flush";
  return 0;
}

}  // extern "C"
