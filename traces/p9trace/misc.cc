// p9trace print / stats / normalize / seeds.
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "reference/codec/printer.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

namespace {

// The trace of a command `p9trace CMD TRACE ARGS`, with `want` arguments.
bool load(const std::vector<std::string>& args, std::size_t want, const char* cmd, const char* usage,
          Trace* t) {
  if (args.size() != want) {
    std::fprintf(stderr, "usage: p9trace %s %s\n", cmd, usage);
    return false;
  }
  return read_trace_or_say(cmd, args[0], t);
}

// Renumbers server-chosen values by first appearance, so that two recordings
// of the same workload can be diffed.
class Normaliser {
 public:
  std::string line(const Record& r) {
    if (!r.decoded.ok()) return describe(r.decoded);
    Frame f = r.decoded.frame;
    std::visit(
        [&](auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (!std::is_same_v<T, std::monostate>) {
            msg::visit_fields(m, [&](const char*, auto& v, auto k) {
              using K = decltype(k);
              if constexpr (std::is_same_v<K, kind::qid>)
                fix(v);
              else if constexpr (std::is_same_v<K, kind::wqids>)
                for (auto& q : v) fix(q);
              else if constexpr (std::is_same_v<K, kind::dirents>)
                for (auto& e : v) {
                  fix(e.qid);
                  e.offset = cookie(e.offset);
                }
            });
          }
          if constexpr (std::is_same_v<T, msg::Treaddir>) m.offset = m.offset ? cookie(m.offset) : 0;
          if constexpr (std::is_same_v<T, msg::Rgetattr>) {
            m.atime_sec = m.atime_nsec = m.mtime_sec = m.mtime_nsec = 0;
            m.ctime_sec = m.ctime_nsec = m.btime_sec = m.btime_nsec = 0;
            m.gen = m.data_version = 0;
          }
          if constexpr (std::is_same_v<T, msg::Rstatfs>) m.bfree = m.bavail = m.ffree = 0;
          if constexpr (std::is_same_v<T, msg::Tattach>) m.aname = "ANAME";
        },
        f.body);
    return to_string(f);
  }

 private:
  void fix(Qid& q) {
    q.version = 0;
    auto it = paths_.find(q.path);
    if (it == paths_.end()) it = paths_.emplace(q.path, paths_.size() + 1).first;
    q.path = it->second;
  }
  std::uint64_t cookie(std::uint64_t c) {
    auto it = cookies_.find(c);
    if (it == cookies_.end()) it = cookies_.emplace(c, cookies_.size() + 1).first;
    return it->second;
  }
  std::map<std::uint64_t, std::uint64_t> paths_, cookies_;
};

}  // namespace

int cmd_print(const std::vector<std::string>& args) {
  Trace t;
  if (!load(args, 1, "print", "TRACE", &t)) return 2;
  for (const auto& [k, v] : t.meta) std::printf("# %s: %s\n", k.c_str(), v.c_str());
  for (const Record& r : t.records)
    std::printf("#%-6zu %d %c %10.6f %s\n", r.index, r.conn, r.from_client ? 'C' : 'S', r.time,
                describe(r.decoded).c_str());
  return 0;
}

int cmd_normalize(const std::vector<std::string>& args) {
  Trace t;
  if (!load(args, 1, "normalize", "TRACE", &t)) return 2;
  for (const auto& [k, v] : t.meta)
    if (k != "recorded") std::printf("# %s: %s\n", k.c_str(), v.c_str());
  Normaliser n;
  for (const Record& r : t.records)
    std::printf("%d %c %s\n", r.conn, r.from_client ? 'C' : 'S', n.line(r).c_str());
  return 0;
}

int cmd_stats(const std::vector<std::string>& args) {
  Trace t;
  if (!load(args, 1, "stats", "TRACE", &t)) return 2;
  std::map<std::string, std::size_t> by_type;
  std::map<std::string, std::size_t> errnos;  // "Twalk ENOENT"
  std::map<std::pair<int, std::uint16_t>, std::string> open;
  std::set<int> conns;
  std::size_t bytes[2] = {0, 0}, bad = 0, max_inflight = 0;
  for (const Record& r : t.records) {
    conns.insert(r.conn);
    bytes[r.from_client ? 0 : 1] += r.bytes.size();
    if (!r.decoded.ok()) {
      ++bad;
      continue;
    }
    const char* name = msg_name(r.decoded.type);
    by_type[name ? name : "?"]++;
    auto key = std::make_pair(r.conn, r.decoded.frame.tag);
    if (r.from_client) {
      open[key] = name ? name : "?";
      max_inflight = std::max(max_inflight, open.size());
    } else {
      auto it = open.find(key);
      std::string req = it == open.end() ? "?" : it->second;
      if (it != open.end()) open.erase(it);
      if (auto* e = std::get_if<msg::Rlerror>(&r.decoded.frame.body)) {
        const char* en = errno_name(e->ecode);
        errnos[req + " " + (en ? en : std::to_string(e->ecode))]++;
      }
    }
  }
  std::printf(
      "trace %s: %zu frames, %zu connection(s), %.3f s, %zu bytes client->server, %zu bytes server->client\n",
      t.name.c_str(), t.records.size(), conns.size(), t.records.empty() ? 0.0 : t.records.back().time,
      bytes[0], bytes[1]);
  if (bad) std::printf("  %zu frames do not decode\n", bad);
  std::printf("  most requests in flight at once: %zu\n", max_inflight);
  std::printf("messages by type:\n");
  for (const auto& [k, v] : by_type) std::printf("  %-12s %zu\n", k.c_str(), v);
  std::printf("errors (request errno):\n");
  if (errnos.empty()) std::printf("  none\n");
  for (const auto& [k, v] : errnos) std::printf("  %-24s %zu\n", k.c_str(), v);
  if (!open.empty()) std::printf("requests without a reply: %zu\n", open.size());
  return 0;
}

// Seeds for fuzz/corpus/fuzz_server: the client's frames after its Tversion
// and first Tattach (the fuzz target sends its own: msize 8192, fid 0),
// leaving out frames larger than 8192 bytes, cut at a frame boundary before
// 64 KiB.
int cmd_seeds(const std::vector<std::string>& args) {
  Trace t;
  if (!load(args, 2, "seeds", "TRACE OUTFILE", &t)) return 2;
  constexpr std::size_t kFuzzMsize = 8192, kMaxSeed = 64 * 1024;
  std::vector<std::uint8_t> out;
  bool attached = false;
  int conn = -1;
  std::size_t dropped = 0, kept = 0;
  for (const Record& r : t.records) {
    if (!r.from_client) continue;
    if (conn < 0) conn = r.conn;
    if (r.conn != conn) continue;  // the first connection only: one session
    if (r.decoded.ok() && std::holds_alternative<msg::Tversion>(r.decoded.frame.body)) continue;
    if (!attached && r.decoded.ok() && std::holds_alternative<msg::Tattach>(r.decoded.frame.body)) {
      attached = true;
      continue;
    }
    if (r.bytes.size() > kFuzzMsize) {
      ++dropped;
      continue;
    }
    if (out.size() + r.bytes.size() > kMaxSeed) break;
    out.insert(out.end(), r.bytes.begin(), r.bytes.end());
    ++kept;
  }
  FILE* f = std::fopen(args[1].c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "p9trace seeds: cannot write %s\n", args[1].c_str());
    return 1;
  }
  std::fwrite(out.data(), 1, out.size(), f);
  std::fclose(f);
  std::fprintf(stderr, "p9trace seeds: %s: %zu frames, %zu bytes (%zu frames over %zu bytes left out)\n",
               args[1].c_str(), kept, out.size(), dropped, kFuzzMsize);
  return 0;
}

}  // namespace p9::trace
