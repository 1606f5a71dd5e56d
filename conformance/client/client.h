// A small synchronous 9P2000.L client for tests, benchmarks and tools.
// Every frame sent and received is kept in a short transcript, printed with
// the message printer, so a failing assertion can show what crossed the wire.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"
#include "reference/fs/result.h"

namespace p9::client {

// The request types a server left unanswered, shared by every connection of
// one run (the conformance runner's): a type that got no reply in time twice
// is "never answered", and later requests of that type fail at once with that
// reason instead of each waiting its full timeout.
class Unanswered {
 public:
  static constexpr int kLimit = 2;  // misses before a type counts as never answered
  // What the misses are attributed to (the conformance case running now).
  void set_context(std::string where);
  // A request of `type` got no reply within the timeout.
  void missed(std::uint8_t type);
  // "" while `type` may be sent; else why it is not, and counts the refusal.
  std::string refuse(std::uint8_t type);
  struct Type {
    std::string name;                 // "Tremove"
    std::vector<std::string> missed;  // where it went unanswered, in order
    int refused = 0;                  // later requests not sent
  };
  // The types marked never answered, in type order.
  std::vector<Type> never_answered() const;

 private:
  mutable std::mutex mu_;
  std::string where_;
  std::map<std::uint8_t, Type> types_;
};

class Client {
 public:
  // Takes ownership of a connected stream fd.
  explicit Client(int fd);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects to "tcp:HOST:PORT" or "unix:PATH". nullptr + *error on failure.
  static std::unique_ptr<Client> connect(const std::string& address, std::string* error);

  // ---- raw access (hostile-input and pipelining cases) ----
  bool send_bytes(const std::vector<std::uint8_t>& bytes);
  bool send(const Frame& frame);
  // Reads one reply frame. Empty optional on EOF/error/timeout (see last_error()).
  // A frame that does not decode as a reply is an error too. timeout_ms < 0:
  // the client's timeout (set_timeout_ms).
  std::optional<Frame> receive(int timeout_ms = -1);
  // True when the last receive() ended because no reply came in time.
  bool timed_out() const { return timed_out_; }
  // True when the server closed the connection (read returns EOF) within timeout.
  bool closed_by_peer(int timeout_ms = 2000);
  const std::string& last_error() const { return error_; }
  // The connection itself, for callers that move frames without this class
  // between two calls (p9bench's streaming loop).
  int fd() const { return fd_; }

  // ---- request/reply ----
  // Sends the request on a fresh tag, waits for its reply (checks the tag).
  // On a transport failure returns a Frame holding monostate. A reply that
  // comes after its request timed out is dropped when it arrives later.
  Frame rpc(Message request);
  // How long rpc() and receive() wait for a reply (default 10 s).
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }
  int timeout_ms() const { return timeout_ms_; }
  // Reports unanswered requests to `u` and sends none of a type it refuses.
  void watch(std::shared_ptr<Unanswered> u) { unanswered_ = std::move(u); }
  // The typed form: the expected reply, or the errno of an Rlerror. Any other
  // reply (wrong type, transport failure) is Errno::PROTO, with the reason in
  // last_error().
  template <class R>
  Result<R> call(Message request) {
    Frame f = rpc(std::move(request));
    if (const R* r = std::get_if<R>(&f.body)) return *r;
    if (const msg::Rlerror* e = std::get_if<msg::Rlerror>(&f.body)) {
      Errno err = static_cast<Errno>(e->ecode);
      return err == Errno::OK ? Errno::PROTO : err;  // Rlerror 0 is itself a protocol error
    }
    if (error_.empty()) error_ = std::string("unexpected reply, wanted ") + R::kName + ": " + to_string(f);
    return Errno::PROTO;
  }

  // Tversion + Tattach as Linux does (n_uname = uid). Returns the errno of
  // the first step that fails.
  Result<void> handshake(std::uint32_t msize, const std::string& aname, std::uint32_t uid = 0,
                         std::uint32_t root_fid = 0);
  std::uint32_t msize() const { return msize_; }
  void set_msize(std::uint32_t m) { msize_ = m; }

  // Unused fid numbers, counting up from 1000 (tests use small numbers freely).
  std::uint32_t new_fid() { return next_fid_++; }
  std::uint16_t new_tag() {
    std::uint16_t t = next_tag_++;
    if (next_tag_ == NOTAG) next_tag_ = 1;
    return t;
  }

  // The last frames that crossed the wire, one printer line each ("-> " sent, "<- " received).
  std::string transcript() const;

  // Every frame sent (true) and received (false), in order, while recording
  // is on — the differential mode compares two targets' recordings.
  void set_recording(bool on) { recording_ = on; }
  const std::vector<std::pair<bool, Frame>>& recorded() const { return recorded_; }

  // The last exchange of rpc() (call<>), for deviation rules that match by
  // request type and reply (conformance/deviations/deviation_list.h): its
  // request type (0 before any), its reply's type (0 when none came) and
  // Rlerror code, and when it was sent, as a process-wide count (the larger,
  // the later), to find the last exchange over several connections.
  struct Exchange {
    std::uint64_t seq = 0;
    std::uint8_t request = 0, reply = 0;
    std::uint32_t ecode = 0;
  };
  const Exchange& last_exchange() const { return last_exchange_; }
  // Called after every rpc() with its request and the reply (monostate when
  // none came): the conformance runner follows a case's names with it.
  void set_observer(std::function<void(const Message& request, const Message& reply)> f) {
    observer_ = std::move(f);
  }

 private:
  void note(const char* dir, const std::string& line);
  int fd_;
  std::uint32_t msize_ = 1u << 20;
  std::uint32_t next_fid_ = 1000;
  std::uint16_t next_tag_ = 1;
  std::vector<std::uint8_t> in_;
  std::string error_;
  bool timed_out_ = false;
  int timeout_ms_ = 10000;
  std::shared_ptr<Unanswered> unanswered_;
  std::vector<std::uint16_t> abandoned_;  // tags whose request timed out
  std::deque<std::string> transcript_;
  bool recording_ = false;
  std::vector<std::pair<bool, Frame>> recorded_;
  Exchange last_exchange_;
  std::function<void(const Message&, const Message&)> observer_;
  Frame rpc_once(Message request);
};

}  // namespace p9::client
