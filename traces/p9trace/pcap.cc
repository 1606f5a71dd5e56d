// p9trace pcap: a trace as a pcap file with synthetic Ethernet/IPv4/TCP
// headers (server port 564), which Wireshark/tshark decode as 9P; and
// p9trace tshark-check: our decoder against tshark's on the same frames.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "reference/codec/printer.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

namespace {

constexpr std::uint16_t kServerPort = 564;
constexpr std::size_t kMaxSegment = 32768;  // payload per TCP segment (IPv4 total length is 16 bits)

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void le32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void le16(std::vector<std::uint8_t>& b, std::uint16_t v) {
  for (int i = 0; i < 2; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) acc += static_cast<std::uint32_t>(p[n - 1] << 8);
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

struct Flow {
  std::uint32_t seq[2] = {1000, 500000};  // [0] client, [1] server
  bool open = false;
};

class PcapWriter {
 public:
  explicit PcapWriter(FILE* f) : f_(f) {
    std::vector<std::uint8_t> h;
    le32(h, 0xa1b2c3d4);
    le16(h, 2);
    le16(h, 4);
    le32(h, 0);
    le32(h, 0);
    le32(h, 262144);
    le32(h, 1);  // LINKTYPE_ETHERNET
    std::fwrite(h.data(), 1, h.size(), f_);
  }
  std::size_t packets() const { return packets_; }

  // One TCP segment; returns its packet number (1-based).
  std::size_t segment(int conn, bool from_client, double t, std::uint8_t flags, const std::uint8_t* p,
                      std::size_t n) {
    Flow& fl = flows_[conn];
    int me = from_client ? 0 : 1;
    std::uint16_t cport = static_cast<std::uint16_t>(40000 + conn);
    std::uint32_t cip = 0x0a00020f, sip = 0x0a000202;  // 10.0.2.15 guest, 10.0.2.2 host
    std::uint32_t src = from_client ? cip : sip, dst = from_client ? sip : cip;
    std::uint16_t sport = from_client ? cport : kServerPort, dport = from_client ? kServerPort : cport;
    std::vector<std::uint8_t> tcp;
    put16(tcp, sport);
    put16(tcp, dport);
    put32(tcp, fl.seq[me]);
    put32(tcp, (flags & 0x10) ? fl.seq[1 - me] : 0);
    tcp.push_back(0x50);  // data offset 5 words
    tcp.push_back(flags);
    put16(tcp, 65535);
    put16(tcp, 0);  // checksum, below
    put16(tcp, 0);
    tcp.insert(tcp.end(), p, p + n);
    std::vector<std::uint8_t> pseudo;
    put32(pseudo, src);
    put32(pseudo, dst);
    put16(pseudo, 6);
    put16(pseudo, static_cast<std::uint16_t>(tcp.size()));
    std::uint16_t cs = fold(sum16(tcp.data(), tcp.size(), sum16(pseudo.data(), pseudo.size())));
    tcp[16] = static_cast<std::uint8_t>(cs >> 8);
    tcp[17] = static_cast<std::uint8_t>(cs);
    std::vector<std::uint8_t> ip;
    ip.push_back(0x45);
    ip.push_back(0);
    put16(ip, static_cast<std::uint16_t>(20 + tcp.size()));
    put16(ip, static_cast<std::uint16_t>(packets_ & 0xffff));
    put16(ip, 0x4000);  // don't fragment
    ip.push_back(64);
    ip.push_back(6);
    put16(ip, 0);
    put32(ip, src);
    put32(ip, dst);
    std::uint16_t ics = fold(sum16(ip.data(), ip.size()));
    ip[10] = static_cast<std::uint8_t>(ics >> 8);
    ip[11] = static_cast<std::uint8_t>(ics);
    std::vector<std::uint8_t> eth = {
        0x52, 0x54, 0x00, 0x12, 0x34, static_cast<std::uint8_t>(from_client ? 0x02 : 0x56),
        0x52, 0x54, 0x00, 0x12, 0x34, static_cast<std::uint8_t>(from_client ? 0x56 : 0x02),
        0x08, 0x00};
    std::size_t len = eth.size() + ip.size() + tcp.size();
    std::vector<std::uint8_t> rec;
    auto sec = static_cast<std::uint32_t>(t);
    auto usec = static_cast<std::uint32_t>((t - sec) * 1e6 + 0.5);
    if (usec >= 1000000) sec += 1, usec -= 1000000;
    le32(rec, sec);
    le32(rec, usec);
    le32(rec, static_cast<std::uint32_t>(len));
    le32(rec, static_cast<std::uint32_t>(len));
    std::fwrite(rec.data(), 1, rec.size(), f_);
    std::fwrite(eth.data(), 1, eth.size(), f_);
    std::fwrite(ip.data(), 1, ip.size(), f_);
    std::fwrite(tcp.data(), 1, tcp.size(), f_);
    fl.seq[me] += static_cast<std::uint32_t>(n) + ((flags & 0x03) ? 1 : 0);  // SYN/FIN take one
    return ++packets_;
  }

  // A whole 9P frame, split into segments; returns the packet number of its last segment.
  std::size_t frame(int conn, bool from_client, double t, const std::vector<std::uint8_t>& bytes) {
    Flow& fl = flows_[conn];
    if (!fl.open) {
      fl.open = true;
      segment(conn, true, t, 0x02, nullptr, 0);   // SYN
      segment(conn, false, t, 0x12, nullptr, 0);  // SYN+ACK
      segment(conn, true, t, 0x10, nullptr, 0);   // ACK
    }
    std::size_t last = 0;
    for (std::size_t off = 0; off < bytes.size(); off += kMaxSegment) {
      std::size_t n = std::min(kMaxSegment, bytes.size() - off);
      last = segment(conn, from_client, t, 0x18, bytes.data() + off, n);  // PSH+ACK
    }
    return last;
  }

 private:
  FILE* f_;
  std::map<int, Flow> flows_;
  std::size_t packets_ = 0;
};

// Writes the pcap; packet_of[i] = packet number where record i completes.
bool write_pcap(const Trace& t, const std::string& out, std::vector<std::size_t>* packet_of,
                std::string* error) {
  FILE* f = std::fopen(out.c_str(), "wb");
  if (!f) {
    *error = "cannot write " + out + ": " + std::strerror(errno);
    return false;
  }
  PcapWriter w(f);
  packet_of->assign(t.records.size(), 0);
  for (const Record& r : t.records) (*packet_of)[r.index] = w.frame(r.conn, r.from_client, r.time, r.bytes);
  return std::fclose(f) == 0;
}

// The fields tshark's 9P dissector decodes correctly, as we decode them.
std::map<std::string, std::string> our_fields(const Frame& f) {
  std::map<std::string, std::string> o;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (!std::is_same_v<T, std::monostate>) {
          msg::visit_fields(m, [&](const char* name, const auto& v, auto k) {
            using K = decltype(k);
            std::string n = name;
            if constexpr (std::is_same_v<K, kind::fid>) {
              if (n == "fid" || n == "newfid") o[n] = std::to_string(v);
            } else if constexpr (std::is_same_v<K, kind::wnames>) {
              std::string s;
              for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
              o["wname"] = s;
            } else if constexpr (std::is_same_v<K, kind::data>) {
              o["count"] = std::to_string(v.size());
            } else if constexpr (std::is_same_v<K, kind::u64>) {
              if (n == "offset") o[n] = std::to_string(v);
            } else if constexpr (std::is_same_v<K, kind::u32>) {
              if (n == "count") o[n] = std::to_string(v);
              if (n == "msize") o["maxsize"] = std::to_string(v);
            } else if constexpr (std::is_same_v<K, kind::str>) {
              if (n == "version") o[n] = v;
            }
          });
        }
      },
      f.body);
  return o;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep)
      out.push_back(cur), cur.clear();
    else
      cur += c;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

int cmd_pcap(const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: p9trace pcap TRACE OUT.pcap\n");
    return 2;
  }
  Trace t;
  std::string error;
  std::vector<std::size_t> packets;
  if (!read_trace(args[0], &t, &error) || !write_pcap(t, args[1], &packets, &error)) {
    std::fprintf(stderr, "p9trace pcap: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "p9trace pcap: %zu frames -> %s (TCP port %u; tshark -r %s -Y 9p)\n", t.records.size(),
               args[1].c_str(), kServerPort, args[1].c_str());
  return 0;
}

int cmd_tshark_check(const std::vector<std::string>& args) {
  std::string trace_path, tshark = "tshark";
  bool verbose = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--tshark" && i + 1 < args.size())
      tshark = args[++i];
    else if (args[i] == "-v")
      verbose = true;
    else
      trace_path = args[i];
  }
  if (trace_path.empty()) {
    std::fprintf(stderr, "usage: p9trace tshark-check TRACE [--tshark PATH] [-v]\n");
    return 2;
  }
  if (std::system((tshark + " --version >/dev/null 2>&1").c_str()) != 0) {
    std::printf("SKIP: tshark not found (apt-get install tshark)\n");
    return 77;
  }
  Trace t;
  if (!read_trace_or_say("tshark-check", trace_path, &t)) return 2;
  char tmpl[] = "/tmp/p9trace-tshark-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) return 2;
  ::close(fd);
  std::string pcap = tmpl;
  std::vector<std::size_t> packet_of;
  std::string error;
  if (!write_pcap(t, pcap, &packet_of, &error)) {
    std::fprintf(stderr, "p9trace tshark-check: %s\n", error.c_str());
    return 2;
  }
  static const char* kFields[] = {"msgtype", "tag",   "fid",     "newfid", "wname",
                                  "offset",  "count", "maxsize", "version"};
  std::string cmd = tshark + " -n -r " + pcap +
                    " -Y 9p -T fields -E separator=/t -E occurrence=a -E aggregator=, -e frame.number";
  for (const char* f : kFields) cmd += std::string(" -e 9p.") + f;
  cmd += " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::map<std::size_t, std::vector<std::string>> by_packet;
  if (p) {
    std::string line;
    char buf[1 << 16];
    while (std::fgets(buf, sizeof buf, p)) {
      line += buf;
      if (line.empty() || line.back() != '\n') continue;
      line.pop_back();
      auto cols = split(line, '\t');
      if (!cols.empty()) by_packet[std::strtoul(cols[0].c_str(), nullptr, 10)] = cols;
      line.clear();
    }
    ::pclose(p);
  }
  ::unlink(pcap.c_str());
  std::size_t checked = 0, fields = 0, bad = 0, skipped = 0;
  for (const Record& r : t.records) {
    if (!r.decoded.ok()) continue;
    auto it = by_packet.find(packet_of[r.index]);
    auto complain = [&](const std::string& what) {
      if (bad++ < 20) std::printf("#%zu %s: %s\n", r.index, describe(r.decoded).c_str(), what.c_str());
    };
    if (it == by_packet.end()) {
      complain("tshark shows no 9P message in packet " + std::to_string(packet_of[r.index]));
      continue;
    }
    const auto& cols = it->second;
    auto col = [&](std::size_t k) { return k + 1 < cols.size() ? cols[k + 1] : std::string(); };
    ++checked;
    // Header fields: always.
    if (col(0) != std::to_string(r.decoded.type)) complain("msgtype: tshark " + col(0));
    if (col(1) != std::to_string(r.decoded.frame.tag)) complain("tag: tshark " + col(1));
    fields += 2;
    MsgType ty = static_cast<MsgType>(r.decoded.type);
    if (ty == MsgType::Tgetlock || ty == MsgType::Rgetlock || ty == MsgType::Rlerror ||
        ty == MsgType::Rreaddir) {
      ++skipped;  // tshark mis-decodes these or leaves them raw
      continue;
    }
    auto ours = our_fields(r.decoded.frame);
    for (std::size_t k = 2; k < std::size(kFields); ++k) {
      auto o = ours.find(kFields[k]);
      if (o == ours.end()) continue;
      ++fields;
      if (col(k) != o->second)
        complain(std::string(kFields[k]) + ": ours '" + o->second + "', tshark '" + col(k) + "'");
      else if (verbose)
        std::printf("#%zu %s ok\n", r.index, kFields[k]);
    }
  }
  std::printf(
      "tshark-check %s: %zu messages, %zu fields compared, %zu mismatches (%zu messages with only type/tag "
      "checked: Tgetlock/Rgetlock/Rlerror/Rreaddir)\n",
      t.name.c_str(), checked, fields, bad, skipped);
  return bad ? 1 : 0;
}

}  // namespace p9::trace
