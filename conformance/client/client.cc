#include "conformance/client/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "reference/transport/transport.h"

namespace p9::client {

namespace {
constexpr std::size_t kTranscriptLines = 12;
}

Client::Client(int fd) : fd_(fd) {}
Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Client> Client::connect(const std::string& address, std::string* error) {
  transport::Address a;
  if (!transport::parse_address(address, &a, error)) return nullptr;
  if (a.kind == transport::Address::Kind::Stdio) {
    *error = "cannot connect to stdio";
    return nullptr;
  }
  int fd = transport::connect_to(a, error);
  if (fd < 0) {
    *error = address + ": " + *error;
    return nullptr;
  }
  return std::make_unique<Client>(fd);
}

void Client::note(const char* dir, const std::string& line) {
  transcript_.push_back(std::string(dir) + line);
  while (transcript_.size() > kTranscriptLines) transcript_.pop_front();
}

std::string Client::transcript() const {
  std::string o;
  for (const auto& l : transcript_) o += "    " + l + "\n";
  return o;
}

bool Client::send_bytes(const std::vector<std::uint8_t>& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    off += static_cast<std::size_t>(w);
  }
  return true;
}

bool Client::send(const Frame& frame) {
  std::vector<std::uint8_t> b;
  if (!encode_append(frame, b)) {
    error_ = "cannot encode " + to_string(frame);
    return false;
  }
  note("-> ", to_string(frame));
  if (recording_) recorded_.emplace_back(true, frame);
  return send_bytes(b);
}

void Unanswered::set_context(std::string where) {
  std::lock_guard<std::mutex> g(mu_);
  where_ = std::move(where);
}

void Unanswered::missed(std::uint8_t type) {
  std::lock_guard<std::mutex> g(mu_);
  Type& t = types_[type];
  const char* n = msg_name(type);
  t.name = n ? n : "type " + std::to_string(type);
  t.missed.push_back(where_);
}

std::string Unanswered::refuse(std::uint8_t type) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = types_.find(type);
  if (it == types_.end() || it->second.missed.size() < kLimit) return {};
  Type& t = it->second;
  ++t.refused;
  std::string o = t.name + " is never answered by this server (no reply in ";
  for (std::size_t i = 0; i < t.missed.size(); ++i) o += (i ? ", " : "") + t.missed[i];
  return o + "); not sent";
}

std::vector<Unanswered::Type> Unanswered::never_answered() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Type> o;
  for (const auto& [type, t] : types_)
    if (t.missed.size() >= kLimit) o.push_back(t);
  return o;
}

std::optional<Frame> Client::receive(int timeout_ms) {
  error_.clear();
  timed_out_ = false;
  if (timeout_ms < 0) timeout_ms = timeout_ms_;
  while (true) {
    DecodeError ferr;
    std::uint32_t len = frame_length(in_.data(), in_.size(), 0xFFFFFFFFu, &ferr);
    if (ferr != DecodeError::None) {
      error_ = std::string("reply cannot be delimited: ") + to_string(ferr);
      note("<- ", error_);
      return std::nullopt;
    }
    if (len != 0 && in_.size() >= len) {
      Decoded d = decode(in_.data(), len, Expect::Reply, 0xFFFFFFFFu);
      in_.erase(in_.begin(), in_.begin() + len);
      if (!d.ok()) {
        error_ = std::string("reply does not decode: ") + to_string(d.error) + ": " + d.detail;
        note("<- ", error_);
        return std::nullopt;
      }
      note("<- ", to_string(d.frame));
      if (recording_) recorded_.emplace_back(false, d.frame);
      return d.frame;
    }
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n == 0) {
      timed_out_ = true;
      error_ = "no reply within " + std::to_string(timeout_ms) + " ms";
      note("<- ", error_);
      return std::nullopt;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("poll: ") + std::strerror(errno);
      return std::nullopt;
    }
    std::uint8_t buf[65536];
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r == 0) {
      error_ = "connection closed by the server";
      note("<- ", error_);
      return std::nullopt;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("recv: ") + std::strerror(errno);
      note("<- ", error_);
      return std::nullopt;
    }
    in_.insert(in_.end(), buf, buf + r);
  }
}

bool Client::closed_by_peer(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  while (true) {
    int n = ::poll(&p, 1, timeout_ms);
    if (n <= 0) return false;
    std::uint8_t buf[4096];
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r == 0) return true;
    if (r < 0) return errno == ECONNRESET;
  }
}

Frame Client::rpc(Message request) {
  if (!observer_) return rpc_once(std::move(request));
  Message sent = request;
  Frame f = rpc_once(std::move(request));
  observer_(sent, f.body);
  return f;
}

Frame Client::rpc_once(Message request) {
  error_.clear();
  Frame req{new_tag(), std::move(request)};
  if (std::holds_alternative<msg::Tversion>(req.body)) req.tag = NOTAG;
  const auto type = static_cast<std::uint8_t>(type_of(req.body));
  static std::atomic<std::uint64_t> exchanges{0};
  last_exchange_ = Exchange{++exchanges, type, 0, 0};
  if (unanswered_) {
    if (std::string why = unanswered_->refuse(type); !why.empty()) {
      error_ = why;
      note("-> ", to_string(req) + "  [" + why + "]");
      return Frame{req.tag, std::monostate{}};
    }
  }
  if (!send(req)) return Frame{req.tag, std::monostate{}};
  auto reply = receive();
  // Late replies to requests that timed out earlier are not this one's.
  for (std::vector<std::uint16_t>::iterator late;
       reply && (late = std::find(abandoned_.begin(), abandoned_.end(), reply->tag)) != abandoned_.end();) {
    abandoned_.erase(late);
    reply = receive();
  }
  if (!reply) {
    if (timed_out_) {
      abandoned_.push_back(req.tag);
      if (unanswered_) unanswered_->missed(type);
    }
    return Frame{req.tag, std::monostate{}};
  }
  if (reply->tag != req.tag) {
    error_ =
        "reply tag " + std::to_string(reply->tag) + " does not match request tag " + std::to_string(req.tag);
    return Frame{req.tag, std::monostate{}};
  }
  last_exchange_.reply = static_cast<std::uint8_t>(type_of(reply->body));
  if (const auto* e = std::get_if<msg::Rlerror>(&reply->body)) last_exchange_.ecode = e->ecode;
  return *reply;
}

Result<void> Client::handshake(std::uint32_t msize, const std::string& aname, std::uint32_t uid,
                               std::uint32_t root_fid) {
  auto v = call<msg::Rversion>(msg::Tversion{msize, "9P2000.L"});
  P9_TRY(v);
  if (v->version != "9P2000.L") {
    error_ = "server answered version " + v->version;
    return Errno::PROTO;
  }
  msize_ = v->msize;
  auto a = call<msg::Rattach>(
      msg::Tattach{root_fid, static_cast<std::uint32_t>(NOFID), uid == 0 ? "root" : "", aname, uid});
  P9_TRY(a);
  return {};
}

}  // namespace p9::client
