// The OPFS build's wasm module: the exports of api.h over one reference
// server (reference/server/session.h) whose backend is the store kept in
// JsFiles (the worker's sync access handles). Everything here runs
// synchronously on the worker's thread, one call at a time; the worker does
// the asynchronous OPFS work (creating files, opening handles) between calls.
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "opfs/wasm/api.h"
#include "opfs/store/store.h"
#include "opfs/wasm/js_files.h"
#include "reference/model/model.h"
#include "reference/server/session.h"

namespace p9::opfs {

// ---- the backend ----
// The store (store.h) over the worker's files: the model's semantics, its
// metadata in the journal and checkpoints, each file's bytes in a data file.
// `report` gets the recovery summary (and what fsck repaired, if anything);
// null + *error when the store cannot be opened.
std::unique_ptr<fs::Backend> make_store_backend(std::shared_ptr<Files> files, std::string* report,
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
  std::unique_ptr<fs::Backend> backend;
  std::unique_ptr<server::Server> server;
  std::map<int, std::unique_ptr<server::Session>> sessions;
  int next_session = 1;
  std::vector<std::uint8_t> request, reply;
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
  s.message = report;
  return 0;
}

std::uint32_t p9o_pool_wanted() { return static_cast<std::uint32_t>(state().files->wanted()); }
std::uint32_t p9o_pool_next_slot() { return state().files->next_slot(); }
void p9o_pool_add(std::uint32_t slot) { state().files->add(slot); }
// (extension, api.h) 1 when no free data slot is left: the worker then waits
// for the top-up before it hands the store another request.
int p9o_pool_empty() { return state().files->wanted() >= p9::opfs::Files::kPoolTarget ? 1 : 0; }

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

const std::uint8_t* p9o_reply() { return state().reply.data(); }

int p9o_idle() { return p9::opfs::store_idle(); }

const char* p9o_message() { return state().message.c_str(); }

}  // extern "C"
