#include "reference/wasi/replay.h"

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "reference/wasi/dirent.h"

namespace p9::wasi {
namespace {

// ---- one line ----------------------------------------------------------

struct Line {
  std::string seq, name;
  std::vector<std::string> args;  // tokens as written (JSON strings decoded)
  std::vector<bool> quoted;       // which args were JSON strings
  std::string errno_name;
  std::map<std::string, std::string> results;
};

// A JSON string at s[i] (the opening quote) decoded into out (as UTF-8); i
// ends after the closing quote. False when it does not end or an escape is
// not JSON's (RFC 8259 section 7).
bool json_string(const std::string& s, std::size_t& i, std::string& out) {
  ++i;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '"') return true;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto hex4 = [&](std::uint32_t& v) {
          if (i + 4 > s.size()) return false;
          char* end = nullptr;
          std::string h = s.substr(i, 4);
          v = static_cast<std::uint32_t>(std::strtoul(h.c_str(), &end, 16));
          if (end != h.c_str() + 4) return false;
          i += 4;
          return true;
        };
        std::uint32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
          std::uint32_t lo = 0;
          if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
          i += 2;
          if (!hex4(lo) || lo < 0xDC00 || lo >= 0xE000) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xF0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

// "SEQ NAME ARG... = ERRNO [KEY=VALUE...]"; "" or a reason.
std::string parse(const std::string& s, Line& l) {
  std::vector<std::string> tok;
  std::vector<bool> quoted;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    std::string t;
    if (s[i] == '"') {
      if (!json_string(s, i, t)) return "a JSON string does not end or has a bad escape";
      quoted.push_back(true);
    } else {
      std::size_t j = s.find(' ', i);
      if (j == std::string::npos) j = s.size();
      t = s.substr(i, j - i);
      i = j;
      quoted.push_back(false);
    }
    tok.push_back(std::move(t));
  }
  std::size_t eq = 0;
  while (eq < tok.size() && !(tok[eq] == "=" && !quoted[eq])) ++eq;
  if (tok.size() < 2 || eq == tok.size() || eq + 1 >= tok.size()) return "not SEQ NAME ARG... = ERRNO";
  l.seq = tok[0];
  l.name = tok[1];
  l.args.assign(tok.begin() + 2, tok.begin() + static_cast<long>(eq));
  l.quoted.assign(quoted.begin() + 2, quoted.begin() + static_cast<long>(eq));
  l.errno_name = tok[eq + 1];
  for (std::size_t k = eq + 2; k < tok.size(); ++k) {
    std::size_t at = tok[k].find('=');
    if (at == std::string::npos) {
      if (l.errno_name == "exit") continue;  // proc_exit: "= exit STATUS"
      return "result '" + tok[k] + "' is not KEY=VALUE";
    }
    l.results[tok[k].substr(0, at)] = tok[k].substr(at + 1);
  }
  return "";
}

std::string hex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string out = "x:";
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// x:HEX (hex()'s form) back into bytes; false when it is not that form.
bool unhex(const std::string& t, std::string& out) {
  if (t.rfind("x:", 0) != 0 || t.size() % 2 != 0) return false;
  auto digit = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  out.clear();
  for (std::size_t i = 2; i < t.size(); i += 2) {
    int hi = digit(t[i]), lo = digit(t[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

// ---- the answer of one replayed call -------------------------------------

struct Answer {
  Errno e = Errno::SUCCESS;
  std::map<std::string, std::string> results;
};

void put_filestat(Answer& a, const Filestat& s) {
  a.results["type"] = std::to_string(int(s.filetype));
  a.results["nlink"] = std::to_string(s.nlink);
  a.results["size"] = std::to_string(s.size);
}

template <class T, class F>
Answer answer(const Result<T>& r, F&& fill) {
  Answer a;
  if (!r.ok()) {
    a.e = r.error();
  } else {
    fill(a, *r);
  }
  return a;
}
Answer answer(Errno e) {
  Answer a;
  a.e = e;
  return a;
}

// The whole entries of a fd_readdir buffer, as "name:type".
std::multiset<std::string> entries(std::string_view buf) {
  std::multiset<std::string> out;
  std::size_t at = 0, size = 0;
  Dirent d;
  while (parse_dirent(reinterpret_cast<const std::uint8_t*>(buf.data()) + at, buf.size() - at, d, size)) {
    out.insert(std::string(d.name) + ":" + std::to_string(int(d.type)));
    at += size;
  }
  return out;
}

class Replayer {
 public:
  Replayer(Host& h, const ReplayOptions& o) : h_(h), opt_(o) {}

  // The call made again; "" when it answered as recorded, else why not. A
  // bad argument throws std::string.
  std::string run(const Line& l) {
    l_ = &l;
    at_ = 0;
    Answer a = call(l.name);
    if (at_ != l.args.size()) throw std::string("more arguments than " + l.name + " takes");
    return compare(l, a);
  }
  // A call the replay makes: a file call whose descriptor, when it names
  // one, is not stdin, stdout or stderr (the process's own, which differ
  // by where the recording ran: a pipe, a terminal, a console).
  bool replayable(const Line& l) const {
    if (l.name.rfind("fd_", 0) != 0 && l.name.rfind("path_", 0) != 0) return false;
    if (l.name == "path_symlink" || l.args.empty()) return true;
    Fd first = static_cast<Fd>(std::strtoul(l.args[0].c_str(), nullptr, 10));
    return first > 2 || fds_.count(first) != 0;
  }

 private:
  Host& h_;
  const ReplayOptions& opt_;
  const Line* l_ = nullptr;
  std::size_t at_ = 0;
  std::map<Fd, Fd> fds_;  // recorded -> replayed

  const std::string& next(const char* what) {
    if (at_ >= l_->args.size()) throw std::string("missing argument: ") + what;
    return l_->args[at_++];
  }
  std::uint64_t num(const char* what) {
    const std::string& t = next(what);
    char* end = nullptr;
    errno = 0;
    std::uint64_t v = t.size() > 0 && t[0] == '-'
                          ? static_cast<std::uint64_t>(std::strtoll(t.c_str(), &end, 10))
                          : std::strtoull(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno != 0) throw std::string(what) + " '" + t + "' is not a number";
    return v;
  }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(num(what)); }
  Fd fd(const char* what = "fd") {
    Fd r = u32(what);
    auto it = fds_.find(r);
    return it == fds_.end() ? r : it->second;
  }
  std::string path(const char* what = "path") {
    bool q = at_ < l_->quoted.size() && l_->quoted[at_];
    std::string p = next(what);
    if (!q) throw std::string(what) + " is not a JSON string";
    return p;
  }
  std::string bytes(const char* what = "data") {
    const std::string& t = next(what);
    std::string out;
    if (!unhex(t, out)) throw std::string(what) + " is not x:HEX";
    return out;
  }
  std::size_t len(const char* what = "len") {
    const std::string& t = next(what);
    if (t.rfind("len:", 0) != 0) throw std::string(what) + " is not len:N";
    return static_cast<std::size_t>(std::strtoull(t.c_str() + 4, nullptr, 10));
  }
  std::uint16_t u16(const char* what) { return static_cast<std::uint16_t>(num(what)); }

  Answer read_answer(const Result<std::size_t>& r, const std::string& buf) {
    return answer(r, [&](Answer& a, std::size_t n) {
      a.results["n"] = std::to_string(n);
      a.results["data"] = hex(std::string_view(buf).substr(0, n));
    });
  }
  Answer size_answer(const Result<std::size_t>& r) {
    return answer(r, [](Answer& a, std::size_t n) { a.results["n"] = std::to_string(n); });
  }

  Answer call(const std::string& n) {
    if (n == "fd_advise") {
      Fd f = fd();
      std::uint64_t off = num("offset"), length = num("len"), adv = num("advice");
      auto a = to_advice(adv);
      return answer(a ? h_.fd_advise(f, off, length, *a) : Errno::INVAL);
    }
    if (n == "fd_allocate") {
      Fd f = fd();
      std::uint64_t off = num("offset");
      return answer(h_.fd_allocate(f, off, num("len")));
    }
    if (n == "fd_close") {
      Fd rec = u32("fd");
      Fd f = fds_.count(rec) ? fds_[rec] : rec;
      Errno e = h_.fd_close(f);
      if (e == Errno::SUCCESS) fds_.erase(rec);
      return answer(e);
    }
    if (n == "fd_datasync") return answer(h_.fd_datasync(fd()));
    if (n == "fd_sync") return answer(h_.fd_sync(fd()));
    if (n == "fd_fdstat_get") {
      return answer(h_.fd_fdstat_get(fd()), [](Answer& a, const Fdstat& s) {
        a.results["type"] = std::to_string(int(s.filetype));
        a.results["flags"] = std::to_string(s.flags);
        a.results["base"] = std::to_string(s.rights_base);
        a.results["inheriting"] = std::to_string(s.rights_inheriting);
      });
    }
    if (n == "fd_fdstat_set_flags") {
      Fd f = fd();
      return answer(h_.fd_fdstat_set_flags(f, u16("flags")));
    }
    if (n == "fd_fdstat_set_rights") {
      Fd f = fd();
      std::uint64_t b = num("base");
      return answer(h_.fd_fdstat_set_rights(f, b, num("inheriting")));
    }
    if (n == "fd_filestat_get") return answer(h_.fd_filestat_get(fd()), put_filestat);
    if (n == "fd_filestat_set_size") {
      Fd f = fd();
      return answer(h_.fd_filestat_set_size(f, num("size")));
    }
    if (n == "fd_filestat_set_times") {
      Fd f = fd();
      std::uint64_t at = num("atim"), mt = num("mtim");
      return answer(h_.fd_filestat_set_times(f, at, mt, u16("fst_flags")));
    }
    if (n == "fd_read" || n == "fd_pread") {
      Fd f = fd();
      std::string buf(len(), '\0');
      Iovec v(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size());
      if (n == "fd_read") return read_answer(h_.fd_read(f, std::span<const Iovec>(&v, 1)), buf);
      return read_answer(h_.fd_pread(f, std::span<const Iovec>(&v, 1), num("offset")), buf);
    }
    if (n == "fd_write" || n == "fd_pwrite") {
      Fd f = fd();
      std::string data = bytes();
      Ciovec v(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      if (n == "fd_write") return size_answer(h_.fd_write(f, std::span<const Ciovec>(&v, 1)));
      return size_answer(h_.fd_pwrite(f, std::span<const Ciovec>(&v, 1), num("offset")));
    }
    if (n == "fd_prestat_get") {
      return answer(h_.fd_prestat_get(fd()), [](Answer& a, const Prestat& p) {
        a.results["tag"] = "0";
        a.results["len"] = std::to_string(p.name_len);
      });
    }
    if (n == "fd_prestat_dir_name") {
      Fd f = fd();
      std::size_t room = len();
      return answer(h_.fd_prestat_dir_name(f), [&](Answer& a, const std::string& name) {
        if (name.size() > room) {
          a.e = Errno::NAMETOOLONG;  // as the import layer (node/api.cc)
          return;
        }
        a.results["data"] = hex(name);
      });
    }
    if (n == "fd_readdir") {
      Fd f = fd();
      std::string buf(len(), '\0');
      std::uint64_t cookie = num("cookie");
      auto r = h_.fd_readdir(
          f, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size()), cookie);
      return read_answer(r, buf);
    }
    if (n == "fd_renumber") {
      Fd from_rec = u32("from"), to_rec = u32("to");
      Fd from = fds_.count(from_rec) ? fds_[from_rec] : from_rec,
         to = fds_.count(to_rec) ? fds_[to_rec] : to_rec;
      Errno e = h_.fd_renumber(from, to);
      if (e == Errno::SUCCESS && from_rec != to_rec) {
        fds_[to_rec] = to;
        fds_.erase(from_rec);
      }
      return answer(e);
    }
    if (n == "fd_seek") {
      Fd f = fd();
      auto off = static_cast<std::int64_t>(num("offset"));
      auto w = to_whence(num("whence"));
      if (!w) return answer(Errno::INVAL);
      return answer(h_.fd_seek(f, off, *w),
                    [](Answer& a, std::uint64_t p) { a.results["pos"] = std::to_string(p); });
    }
    if (n == "fd_tell")
      return answer(h_.fd_tell(fd()),
                    [](Answer& a, std::uint64_t p) { a.results["pos"] = std::to_string(p); });
    if (n == "path_create_directory") {
      Fd f = fd();
      return answer(h_.path_create_directory(f, path()));
    }
    if (n == "path_filestat_get") {
      Fd f = fd();
      std::uint32_t fl = u32("flags");
      return answer(h_.path_filestat_get(f, fl, path()), put_filestat);
    }
    if (n == "path_filestat_set_times") {
      Fd f = fd();
      std::uint32_t fl = u32("flags");
      std::string p = path();
      std::uint64_t at = num("atim"), mt = num("mtim");
      return answer(h_.path_filestat_set_times(f, fl, p, at, mt, u16("fst_flags")));
    }
    if (n == "path_link") {
      Fd of = fd("old_fd");
      std::uint32_t fl = u32("old_flags");
      std::string op = path("old_path");
      Fd nf = fd("new_fd");
      return answer(h_.path_link(of, fl, op, nf, path("new_path")));
    }
    if (n == "path_open") {
      Fd f = fd();
      std::uint32_t dirflags = u32("dirflags");
      std::string p = path();
      std::uint16_t oflags = u16("oflags");
      std::uint64_t base = num("rights_base"), inh = num("rights_inheriting");
      std::uint16_t fdflags = u16("fdflags");
      auto r = h_.path_open(f, dirflags, p, oflags, base, inh, fdflags);
      Answer a = answer(r, [](Answer& x, Fd got) { x.results["fd"] = std::to_string(got); });
      auto it = l_->results.find("fd");
      if (r.ok() && it != l_->results.end())
        fds_[static_cast<Fd>(std::strtoul(it->second.c_str(), nullptr, 10))] = *r;
      return a;
    }
    if (n == "path_readlink") {
      Fd f = fd();
      std::string p = path();
      std::size_t room = len();
      return answer(h_.path_readlink(f, p), [&](Answer& a, const std::string& t) {
        std::string cut = t.substr(0, std::min(room, t.size()));  // witx: bufused, no error
        a.results["n"] = std::to_string(cut.size());
        a.results["data"] = hex(cut);
      });
    }
    if (n == "path_remove_directory") {
      Fd f = fd();
      return answer(h_.path_remove_directory(f, path()));
    }
    if (n == "path_rename") {
      Fd of = fd("old_fd");
      std::string op = path("old_path");
      Fd nf = fd("new_fd");
      return answer(h_.path_rename(of, op, nf, path("new_path")));
    }
    if (n == "path_symlink") {
      std::string target = path("old_path");
      Fd f = fd();
      return answer(h_.path_symlink(target, f, path("new_path")));
    }
    if (n == "path_unlink_file") {
      Fd f = fd();
      return answer(h_.path_unlink_file(f, path()));
    }
    throw std::string("no such WASI file call: " + n);
  }

  std::string compare(const Line& l, const Answer& a) {
    std::string got = errno_name(a.e);
    auto show = [](const std::map<std::string, std::string>& m) {
      std::string s;
      for (const auto& [k, v] : m) s += " " + k + "=" + (v.size() > 66 ? v.substr(0, 64) + "..." : v);
      return s;
    };
    auto differ = [&](const std::string& why) {
      return why + "\n  recorded: " + l.errno_name + show(l.results) + "\n  replayed: " + got +
             show(a.results);
    };
    if (got != l.errno_name) return differ("errno differs");
    if (a.e != Errno::SUCCESS) return "";
    bool dir = l.results.count("type") && l.results.at("type") == std::to_string(int(Filetype::DIRECTORY));
    for (const auto& [k, v] : l.results) {
      if (k == "atim" || k == "mtim" || k == "ctim" || k == "fd" || opt_.ignore.count(k)) continue;
      if (k == "size" && dir) continue;
      if (l.name == "fd_readdir" && (k == "n" || k == "data")) continue;
      auto it = a.results.find(k);
      if (it == a.results.end() || it->second != v) return differ(k + " differs");
    }
    if (l.name == "fd_readdir" && !opt_.ignore.count("data")) {
      // Whole entries as sets, when the recorded buffer held the rest of the
      // directory (n below its size); a full buffer ends wherever the store's
      // order put the cut.
      std::size_t room = 0;
      for (const auto& t : l.args)
        if (t.rfind("len:", 0) == 0) room = std::strtoull(t.c_str() + 4, nullptr, 10);
      std::size_t n = std::strtoull(l.results.count("n") ? l.results.at("n").c_str() : "0", nullptr, 10);
      std::string recorded, replayed;
      if (n < room && l.results.count("data") && a.results.count("data")) {
        if (!unhex(l.results.at("data"), recorded)) throw std::string("data is not x:HEX");
        unhex(a.results.at("data"), replayed);
        if (entries(recorded) != entries(replayed)) return differ("the directory's entries differ");
      }
    }
    return "";
  }
};

}  // namespace

ReplayReport replay(std::istream& in, Host& host, const ReplayOptions& opt) {
  ReplayReport rep;
  Replayer r(host, opt);
  std::string text;
  while (std::getline(in, text)) {
    ++rep.lines;
    if (text.empty() || text[0] == '#') continue;
    Line l;
    std::string why = parse(text, l);
    if (!why.empty()) {
      rep.error = "line " + std::to_string(rep.lines) + ": " + why;
      return rep;
    }
    if (!r.replayable(l)) {
      ++rep.skipped;
      continue;
    }
    try {
      std::string diff = r.run(l);
      ++rep.replayed;
      if (!diff.empty()) {
        std::string shown = text.size() > 200 ? text.substr(0, 200) + "..." : text;
        rep.difference =
            "call " + l.seq + " (line " + std::to_string(rep.lines) + "): " + diff + "\n  line: " + shown;
        return rep;
      }
    } catch (const std::string& e) {
      rep.error = "line " + std::to_string(rep.lines) + " (" + l.name + "): " + e;
      return rep;
    }
  }
  return rep;
}

}  // namespace p9::wasi
