// The 9P2000.L server core: one Session per connection over a shared Server
// (backend + options). A request goes through three steps, each in one place:
//   1. decode (reference/codec) — a frame that does not decode is answered
//      with Rlerror on its tag, or, when it cannot be delimited, the
//      transport closes the connection;
//   2. the generic checks (this file's .cc, "generic checks" section): fid
//      known / newfid free, opened / not opened, fid kind, walk rules, name
//      rules (names.h) — before any backend call;
//   3. one handler per message, which turns it into fs::Backend calls
//      (reference/fs/backend.h) and builds the reply.
// Every reply leaves through one place (respond), which also logs it.
//
// Errno choices for the generic checks (the protocol leaves them open):
//   unknown fid                         EBADF  (a closed descriptor)
//   newfid already in use               EINVAL (QEMU hw/9pfs v9fs_walk: alloc_fid fails -> EINVAL)
//   I/O on a fid that is not open       EBADF  (read(2) on a descriptor not open)
//   Tlopen/Tlcreate on an open fid      EINVAL
//   more fids than max_fids             EMFILE
//   afid other than NOFID in Tattach    EINVAL (no authentication is configured)
//   Tauth                               EOPNOTSUPP ("authentication not configured" is logged)
//   any request before Tversion         EPROTO
//   a frame that does not decode        EPROTO; an unknown type EOPNOTSUPP
//
// Requests on one connection are handled in arrival order, one at a time, so a
// reply always precedes the Rflush of a Tflush naming its tag (intro(5)
// flush: "the server must answer the flushed request before the Rflush").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reference/codec/codec.h"
#include "reference/fs/backend.h"

namespace p9::server {

struct Options {
  // Largest msize the server agrees to (payload 1 MiB + the I/O header).
  std::uint32_t max_msize = (1u << 20) + static_cast<std::uint32_t>(IOHDRSZ);
  std::size_t max_fids = 16384;  // per connection
  bool log = false;              // print every request and reply
  std::function<void(const std::string&)> log_sink;  // default: stderr
  // Credentials of an attached uid (Linux access=user attaches each user).
  // Default: primary gid = uid, no supplementary groups.
  std::function<fs::Cred(std::uint32_t uid)> user_cred;
};

class Server {
 public:
  explicit Server(fs::Backend& backend, Options options = {});
  fs::Backend& backend() { return backend_; }
  const Options& options() const { return options_; }
  std::uint64_t next_connection_id() { return ++connections_; }
  void log(const std::string& line) const;

 private:
  fs::Backend& backend_;
  Options options_;
  std::atomic<std::uint64_t> connections_{0};
};

// What a transport feeds frames to: one per connection. Session is the real
// one; benchmarks and proxies provide others.
class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  // Largest frame the peer may send now; transports delimit frames with it.
  virtual std::uint32_t msize() const = 0;
  // Handles one whole request frame, appending the reply bytes to out.
  virtual void handle(const std::uint8_t* frame, std::size_t len, std::vector<std::uint8_t>& out) = 0;
};

class Session : public FrameHandler {
 public:
  Session(Server& server, std::uint64_t id);
  ~Session() override;  // releases every fid (clunk semantics, xattr writes are dropped)
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Largest frame the peer may send now (the negotiated msize, or the
  // server's maximum before Tversion). Transports delimit frames with it.
  std::uint32_t msize() const override { return msize_; }

  // Handles one whole request frame and appends exactly one reply frame.
  void handle(const std::uint8_t* frame, std::size_t len, std::vector<std::uint8_t>& out) override;

  std::size_t fid_count() const { return fids_.size(); }
  std::uint64_t id() const { return id_; }

 private:
  struct Fid;
  using Reply = Result<Message>;

  void respond(std::uint16_t tag, Message body, std::vector<std::uint8_t>& out);
  // The reply being built while handle() runs: on(Tread) reads the file
  // straight into it (begin_data_frame) and respond() only finishes the frame.
  std::vector<std::uint8_t>* out_ = nullptr;
  std::uint16_t tag_ = 0;
  std::optional<DataSlot> in_place_;

  // generic checks
  Result<Fid*> find(std::uint32_t fid);
  Result<Fid*> find_unopened(std::uint32_t fid);
  Result<Fid*> find_opened(std::uint32_t fid);
  Result<void> check_new_fid(std::uint32_t newfid);
  Result<Fid*> find_dir(std::uint32_t fid);
  Result<Qid> qid_of(fs::Node& node);
  void release(std::uint32_t fid);

  // one handler per request (Rlerror carries their errors)
  Reply on(const msg::Tversion& m);
  Reply on(const msg::Tauth& m);
  Reply on(const msg::Tattach& m);
  Reply on(const msg::Tflush& m);
  Reply on(const msg::Twalk& m);
  Reply on(const msg::Tread& m);
  Reply on(const msg::Twrite& m);
  Reply on(const msg::Tclunk& m);
  Reply on(const msg::Tremove& m);
  Reply on(const msg::Tstatfs& m);
  Reply on(const msg::Tlopen& m);
  Reply on(const msg::Tlcreate& m);
  Reply on(const msg::Tsymlink& m);
  Reply on(const msg::Tmknod& m);
  Reply on(const msg::Trename& m);
  Reply on(const msg::Treadlink& m);
  Reply on(const msg::Tgetattr& m);
  Reply on(const msg::Tsetattr& m);
  Reply on(const msg::Txattrwalk& m);
  Reply on(const msg::Txattrcreate& m);
  Reply on(const msg::Treaddir& m);
  Reply on(const msg::Tfsync& m);
  Reply on(const msg::Tlock& m);
  Reply on(const msg::Tgetlock& m);
  Reply on(const msg::Tlink& m);
  Reply on(const msg::Tmkdir& m);
  Reply on(const msg::Trenameat& m);
  Reply on(const msg::Tunlinkat& m);

  Server& server_;
  fs::Backend& backend_;
  std::uint64_t id_;
  std::uint32_t msize_;
  bool versioned_ = false;
  std::unordered_map<std::uint32_t, std::unique_ptr<Fid>> fids_;
};

}  // namespace p9::server
