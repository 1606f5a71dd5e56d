#include "conformance/harness/liveness.h"

#include <cstdlib>

namespace p9::conformance {

namespace {
int g_timeout_ms = kDefaultTimeoutMs;
int g_restarts_left = kDefaultRestarts;
std::vector<Death> g_deaths;
std::string g_gone, g_gone_during;

bool parse_number(const char* name, double min, double max, double* out, std::string* error) {
  const char* v = std::getenv(name);
  if (!v || !*v) return true;
  char* end = nullptr;
  double n = std::strtod(v, &end);
  if (*end != '\0' || !(n >= min && n <= max)) {
    *error = std::string(name) + "='" + v + "' is not a number from " + std::to_string(min) + " to " +
             std::to_string(max);
    return false;
  }
  *out = n;
  return true;
}
}  // namespace

int request_timeout_ms() { return g_timeout_ms; }

bool init_liveness(std::string* error) {
  double seconds = kDefaultTimeoutMs / 1000.0, restarts = kDefaultRestarts;
  if (!parse_number("P9_TIMEOUT", 0.1, 3600, &seconds, error)) return false;
  if (!parse_number("P9_RESTARTS", 0, 100000, &restarts, error)) return false;
  g_timeout_ms = static_cast<int>(seconds * 1000);
  g_restarts_left = static_cast<int>(restarts);
  return true;
}

const std::shared_ptr<client::Unanswered>& unanswered() {
  static const std::shared_ptr<client::Unanswered> u = std::make_shared<client::Unanswered>();
  return u;
}

std::unique_ptr<client::Client> connect_watched(Target& t, std::string* error) {
  std::unique_ptr<client::Client> c = t.connect(error);
  if (c) {
    c->set_timeout_ms(g_timeout_ms);
    c->watch(unanswered());
  }
  return c;
}

std::string server_down(Target& t) {
  if (std::string h = t.health(); !h.empty()) return h;
  std::string error;
  // Not watched: the probe's own requests must not be refused or counted.
  std::unique_ptr<client::Client> c = t.connect(&error);
  if (!c) return "refuses connections (" + error + ")";
  c->set_timeout_ms(g_timeout_ms);
  constexpr std::uint32_t kProbeFid = 1;
  auto h = c->handshake(MIN_MSIZE, t.aname(), 0, kProbeFid);
  if (h.ok()) h = c->call<msg::Rclunk>(msg::Tclunk{kProbeFid}).ok() ? Result<void>{} : Errno::PROTO;
  // Any reply at all means it is alive; only silence or a closed connection is down.
  if (!h.ok() && h.error() == Errno::PROTO) {
    if (std::string later = t.health(); !later.empty()) return later;
    const std::string why = c->last_error();
    return (c->timed_out() ? "stopped answering (" : "closes new connections (") + why + ")\n  probe:\n" +
           c->transcript();
  }
  return {};
}

const std::vector<Death>& deaths() { return g_deaths; }
const std::string& server_gone() { return g_gone; }
const std::string& gone_during() { return g_gone_during; }

const Death& record_death(Target& t, std::string during, std::string how, std::string exchange) {
  Death d{std::move(during), std::move(how), std::move(exchange), {}};
  if (g_restarts_left <= 0) {
    d.restart = "not restarted (no restarts left: P9_RESTARTS)";
  } else {
    --g_restarts_left;
    std::string error = t.restart();
    d.restart = error.empty() ? "restarted" : "not restarted: " + error;
  }
  if (d.restart != "restarted") {
    std::string how_line = d.how.substr(0, d.how.find('\n'));
    g_gone_during = d.during;
    g_gone = "the server died during " + d.during + " (" + how_line + "); " + d.restart;
  }
  g_deaths.push_back(std::move(d));
  return g_deaths.back();
}

}  // namespace p9::conformance
