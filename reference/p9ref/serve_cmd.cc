// `p9ref serve`: the reference server on a socket or stdio.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "reference/p9ref/backends.h"
#include "reference/p9ref/commands.h"
#include "reference/posix/host_users.h"
#include "reference/transport/transport.h"

namespace p9::tool {

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

const char* kUsage =
    "usage: p9ref serve --listen ADDR --backend BACKEND [--msize N] [--max-fids N] [--max-total-fids N]\n"
    "                   [--max-connections N] [--users FILE|host] [--groups db|client] [--log]\n"
    "  ADDR     tcp:HOST:PORT (PORT 0 picks a free port) | unix:PATH | stdio\n"
    "  BACKEND  model | posix:DIR\n"
    "  --msize  largest msize agreed to (default 1048600; at least 4096)\n"
    "  --max-fids N         fids per connection; more are refused with EMFILE (default 16384)\n"
    "  --max-total-fids N   fids of all connections together; more are refused with ENFILE, logged\n"
    "                       (default 1048576)\n"
    "  --max-connections N  connections served at once; more are answered EUSERS and closed, logged\n"
    "                       (default 1024; 0: no cap)\n"
    "  --users FILE|host    the user database: a file of passwd(5) and group(5) lines, or the host's\n"
    "                       (getpwuid/getgrouplist). Default: host for posix:DIR, none for model\n"
    "                       (none: gid = uid, no other group)\n"
    "  --groups db|client   a group membership the database does not confirm: refused (db) or\n"
    "                       left to the client, whose kernel checked the caller's real groups\n"
    "                       (client). Default: client for model, db for posix:DIR (the host\n"
    "                       kernel checks posix:DIR's requests with the database's groups only)\n"
    "  --log    print every request and reply on stderr\n"
    "Prints 'p9ref: listening on ADDR' on stderr when ready; SIGINT/SIGTERM stop it.\n";
}  // namespace

int serve_main(const std::vector<std::string>& args) {
  std::string listen, backend_spec, users, groups;
  server::Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "p9ref serve: %s needs a value\n%s", what, kUsage);
        std::exit(2);
      }
      return args[++i];
    };
    auto number = [&](const char* what) -> unsigned long {
      std::string v = value(what);
      char* end = nullptr;
      unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') {
        std::fprintf(stderr, "p9ref serve: %s expects a number, got '%s'\n", what, v.c_str());
        std::exit(2);
      }
      return n;
    };
    if (a == "--listen")
      listen = value("--listen");
    else if (a == "--backend")
      backend_spec = value("--backend");
    else if (a == "--msize")
      options.max_msize = static_cast<std::uint32_t>(number("--msize"));
    else if (a == "--max-fids")
      options.max_fids = number("--max-fids");
    else if (a == "--max-total-fids")
      options.max_total_fids = number("--max-total-fids");
    else if (a == "--max-connections")
      options.max_connections = number("--max-connections");
    else if (a == "--users")
      users = value("--users");
    else if (a == "--groups")
      groups = value("--groups");
    else if (a == "--log")
      options.log = true;
    else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "p9ref serve: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (listen.empty() || backend_spec.empty()) {
    std::fprintf(stderr, "p9ref serve: --listen and --backend are required\n%s", kUsage);
    return 2;
  }
  if (options.max_msize < MIN_MSIZE) {
    std::fprintf(stderr, "p9ref serve: --msize must be at least %u\n", static_cast<unsigned>(MIN_MSIZE));
    return 2;
  }
  // Users and groups: reference/fs/cred.h says what the rule is and why.
  const bool posix = backend_spec.rfind("posix:", 0) == 0;
  if (groups.empty()) groups = posix ? "db" : "client";
  if (groups != "db" && groups != "client") {
    std::fprintf(stderr, "p9ref serve: --groups is db or client, not '%s'\n", groups.c_str());
    return 2;
  }
  const fs::GroupTrust trust = groups == "db" ? fs::GroupTrust::Db : fs::GroupTrust::Client;
  if (posix && trust == fs::GroupTrust::Client) {
    std::fprintf(stderr,
                 "p9ref serve: --groups client is not implemented for posix:DIR (the host kernel decides "
                 "with the database's groups)\n");
    return 2;
  }
  if (users.empty()) users = posix ? "host" : "";
  if (users == "host") {
    options.user_cred = [trust](std::uint32_t uid) { return posix::host_cred(uid, trust); };
  } else {
    auto db = std::make_shared<fs::UserDb>();
    if (!users.empty()) {
      std::ifstream in(users);
      std::stringstream text;
      text << in.rdbuf();
      std::string why;
      if (!in || !db->parse(text.str(), &why)) {
        std::fprintf(stderr, "p9ref serve: --users %s: %s\n", users.c_str(),
                     in ? why.c_str() : "cannot read");
        return 2;
      }
    }
    options.user_cred = [db, trust](std::uint32_t uid) { return db->cred(uid, trust); };
  }

  transport::Address address;
  std::string error;
  if (!transport::parse_address(listen, &address, &error)) {
    std::fprintf(stderr, "p9ref serve: %s\n", error.c_str());
    return 2;
  }
  std::unique_ptr<fs::Backend> backend = make_backend(backend_spec, &error);
  if (!backend) {
    std::fprintf(stderr, "p9ref serve: %s\n", error.c_str());
    return 2;
  }
  server::Server server(*backend, options);

  if (address.kind == transport::Address::Kind::Stdio) {
    std::string why = transport::serve_stream(server, 0, 1);
    if (options.log) server.log("p9ref: stdio " + why);
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  int rc = transport::listen_and_serve(server, address, g_stop, [&](int port) {
    std::string shown = address.kind == transport::Address::Kind::Tcp
                            ? "tcp:" + address.host + ":" + std::to_string(port)
                            : "unix:" + address.path;
    std::fprintf(stderr, "p9ref: listening on %s (backend %s, msize <= %u)\n", shown.c_str(),
                 backend_spec.c_str(), options.max_msize);
  });
  if (rc == 0) std::fprintf(stderr, "p9ref: stopped\n");
  std::string problems = backend->check_invariants();
  if (!problems.empty()) {
    std::fprintf(stderr, "p9ref: backend invariants broken at exit: %s\n", problems.c_str());
    return 3;
  }
  return rc;
}

}  // namespace p9::tool
