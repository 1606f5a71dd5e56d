// The 9P2000.L server core: one Session per connection over a shared Server
// (backend + options). A request goes through three steps, each in one place:
//   1. decode (reference/codec) — a frame that does not decode is answered
//      with Rlerror on its tag, or, when it cannot be delimited, the
//      transport closes the connection;
//   2. the generic checks: the fid rules of fid_rules.def (fid known /
//      newfid free, opened / not opened, fid kind), applied before dispatch;
//   3. one handler per message, which applies the file-system rules of
//      reference/fs/ (names.h, rules.h, open.h, resolve.h), turns the request
//      into fs::Backend calls (reference/fs/backend.h) and builds the reply.
// Every reply leaves through one place (respond), which also logs it.
//
// Errno choices for the generic checks (the protocol leaves them open):
//   unknown fid                         EBADF  (a closed descriptor)
//   newfid already in use               EINVAL (QEMU hw/9pfs v9fs_walk: alloc_fid fails -> EINVAL)
//   I/O on a fid that is not open       EBADF  (read(2) on a descriptor not open)
//   Tlopen/Tlcreate on an open fid      EINVAL
//   more fids than max_fids             EMFILE (the per-process limit, open(2))
//   more fids than max_total_fids       ENFILE (the system-wide limit, open(2)), logged once
//                                       until the count falls below the cap again
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
  std::size_t max_fids = 16384;           // per connection (more: EMFILE)
  std::size_t max_total_fids = 1u << 20;  // all connections together (more: ENFILE, logged)
  std::size_t max_connections = 1024;     // served at once by listen_and_serve (more: refused, logged)
  bool log = false;                       // print every request and reply
  std::function<void(const std::string&)> log_sink;  // default: stderr
  // Credentials of an attached uid (Linux access=user attaches each user):
  // groups from a user database and the rule for memberships it cannot
  // confirm (reference/fs/cred.h; p9ref serve --users, --groups). Default:
  // primary gid = uid, no supplementary groups, fs::GroupTrust::Db.
  std::function<fs::Cred(std::uint32_t uid)> user_cred;
};

class Server {
 public:
  explicit Server(fs::Backend& backend, Options options = {});
  fs::Backend& backend() { return backend_; }
  const Options& options() const { return options_; }
  std::uint64_t next_connection_id() { return ++connections_; }
  void log(const std::string& line) const;

  // Fids of every session together (Options::max_total_fids). A session
  // reports how its own count changed; fid_room() says whether one more
  // fid is allowed, logging the first refusal of each episode at the cap.
  // Sessions check and add in separate steps, so concurrent requests may pass
  // the cap by at most one fid each.
  std::size_t fids_in_use() const { return fids_in_use_; }
  void fids_changed(std::size_t before, std::size_t after);
  bool fid_room(std::uint64_t connection);

 private:
  fs::Backend& backend_;
  Options options_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::size_t> fids_in_use_{0};
  std::atomic<bool> fid_cap_logged_{false};
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
  enum class FidRule : std::uint8_t {
    NoFid,
    New,
    NewUnlessFid,
    Any,
    Node,
    Unopened,
    UnopenedDir,
    Opened,
    Dir
  };
  // The fids a request names, resolved by the rules of fid_rules.def, in row
  // order (a New row holds nullptr).
  struct Fids {
    Fid* at[2] = {nullptr, nullptr};
    int n = 0;
    Fid& operator[](int i) const { return *at[i]; }
  };
  using Reply = Result<Message>;

  void respond(std::uint16_t tag, Message body, std::vector<std::uint8_t>& out);
  // The reply being built while handle() runs: on(Tread) reads the file
  // straight into it (begin_data_frame) and respond() only finishes the frame.
  std::vector<std::uint8_t>* out_ = nullptr;
  std::uint16_t tag_ = 0;
  std::optional<DataSlot> in_place_;

  // generic checks (fid_rules.def)
  template <class M>
  Result<Fids> apply_fid_rules(const M& m);
  Result<Fid*> check_fid(std::uint32_t fid, FidRule rule, std::uint32_t request_fid);
  std::unique_ptr<Fid> take(std::uint32_t fid);
  Result<Qid> qid_of(fs::Node& node);
  // The name a fid was reached by still names its file (for Tremove and
  // Trename, which act on the name): EBUSY at the attach root, EINVAL when
  // the name is not known (reached by ".."), ESTALE when it now names another.
  Result<void> still_named(const Fid& fid);

  // One handler per request, given the fids its rows resolved (Rlerror
  // carries their errors). The set is derived from spec/messages.def: a
  // T-message without a handler does not compile (see handle()).
  Reply on(const msg::Tversion& m, Fids& f);
  Reply on(const msg::Tauth& m, Fids& f);
  Reply on(const msg::Tattach& m, Fids& f);
  Reply on(const msg::Tflush& m, Fids& f);
  Reply on(const msg::Twalk& m, Fids& f);
  Reply on(const msg::Tread& m, Fids& f);
  Reply on(const msg::Twrite& m, Fids& f);
  Reply on(const msg::Tclunk& m, Fids& f);
  Reply on(const msg::Tremove& m, Fids& f);
  Reply on(const msg::Tstatfs& m, Fids& f);
  Reply on(const msg::Tlopen& m, Fids& f);
  Reply on(const msg::Tlcreate& m, Fids& f);
  Reply on(const msg::Tsymlink& m, Fids& f);
  Reply on(const msg::Tmknod& m, Fids& f);
  Reply on(const msg::Trename& m, Fids& f);
  Reply on(const msg::Treadlink& m, Fids& f);
  Reply on(const msg::Tgetattr& m, Fids& f);
  Reply on(const msg::Tsetattr& m, Fids& f);
  Reply on(const msg::Txattrwalk& m, Fids& f);
  Reply on(const msg::Txattrcreate& m, Fids& f);
  Reply on(const msg::Treaddir& m, Fids& f);
  Reply on(const msg::Tfsync& m, Fids& f);
  Reply on(const msg::Tlock& m, Fids& f);
  Reply on(const msg::Tgetlock& m, Fids& f);
  Reply on(const msg::Tlink& m, Fids& f);
  Reply on(const msg::Tmkdir& m, Fids& f);
  Reply on(const msg::Trenameat& m, Fids& f);
  Reply on(const msg::Tunlinkat& m, Fids& f);

  Server& server_;
  fs::Backend& backend_;
  std::uint64_t id_;
  std::uint32_t msize_;
  bool versioned_ = false;
  std::unordered_map<std::uint32_t, std::unique_ptr<Fid>> fids_;
};

}  // namespace p9::server
