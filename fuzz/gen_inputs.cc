// Generates the fuzzers' dictionary (from the spec table) and hand-built seed
// inputs. Usage:
//   gen_inputs dict            > fuzz/p9.dict        (checked by a test)
//   gen_inputs seeds DIR_DECODE DIR_SERVER [CAPTURE]  writes seed files
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "reference/codec/codec.h"
#include "spec/protocol.h"

namespace {

std::string escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    char b[8];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      o += static_cast<char>(c);
    } else {
      std::snprintf(b, sizeof b, "\\x%02X", c);
      o += b;
    }
  }
  return o;
}

std::string le32(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}

void dict() {
  std::printf("# libFuzzer dictionary generated from spec/messages.def by fuzz/gen_inputs.cc; do not edit.\n");
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) std::printf("type_%s=\"%s\"\n", #NAME, escape(std::string(1, static_cast<char>(NUM))).c_str());
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD
  std::printf("version=\"9P2000.L\"\n");
  std::printf("notag=\"\\xFF\\xFF\"\n");
  std::printf("nofid=\"\\xFF\\xFF\\xFF\\xFF\"\n");
  std::printf("msize_8192=\"%s\"\n", escape(le32(8192)).c_str());
  std::printf("getattr_all=\"%s\"\n", escape(le32(0x3fff)).c_str());
  std::printf("at_removedir=\"%s\"\n", escape(le32(0x200)).c_str());
  for (const auto& nv : p9::kNamedValues)
    if (nv.value > 0xff) std::printf("%s_%s=\"%s\"\n", nv.set, nv.name, escape(le32(static_cast<std::uint32_t>(nv.value))).c_str());
  for (const char* n : {".", "..", "a", "user.x", "security.capability", "x/y"})
    std::printf("name_%zu=\"%s\"\n", std::string(n).size(), escape(std::string("\0", 1) + static_cast<char>(std::string(n).size()) + n).c_str());
}

void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> stream(const std::vector<p9::Frame>& frames) {
  std::vector<std::uint8_t> out;
  for (const auto& f : frames) p9::encode_append(f, out);
  return out;
}

void seeds(const std::string& ddir, const std::string& sdir, const char* capture) {
  using namespace p9;
  using namespace p9::msg;
  const std::uint32_t RDWR = access::RDWR;
  // Server streams (after the harness's own Tversion + Tattach fid 0).
  std::vector<std::pair<std::string, std::vector<Frame>>> s = {
      {"create-write-read", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Tlcreate{1, "f", RDWR, 0644, 0}},
                             Frame{3, Twrite{1, 0, "hello"}}, Frame{4, Tread{1, 0, 100}}, Frame{5, Tclunk{1}}}},
      {"mkdir-readdir", {Frame{1, Tmkdir{0, "d", 0755, 0}}, Frame{2, Twalk{0, 1, {"d"}}}, Frame{3, Tlopen{1, 0}},
                         Frame{4, Treaddir{1, 0, 4096}}, Frame{5, Tclunk{1}}}},
      {"rename-unlink", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Tlcreate{1, "a", RDWR, 0644, 0}},
                         Frame{3, Trenameat{0, "a", 0, "b"}}, Frame{4, Tunlinkat{0, "b", 0}},
                         Frame{5, Tread{1, 0, 10}}, Frame{6, Tgetattr{1, GETATTR_ALL}}, Frame{7, Tclunk{1}}}},
      {"link-symlink", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Tlcreate{1, "a", RDWR, 0644, 0}},
                        Frame{3, Tlink{0, 1, "h"}}, Frame{4, Tsymlink{0, "s", "a", 0}}, Frame{5, Twalk{0, 2, {"s"}}},
                        Frame{6, Treadlink{2}}, Frame{7, Tunlinkat{0, "a", 0}}, Frame{8, Tgetattr{1, GETATTR_ALL}}}},
      {"xattr", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Txattrcreate{1, "user.a", 3, 0}}, Frame{3, Twrite{1, 0, "abc"}},
                 Frame{4, Tclunk{1}}, Frame{5, Txattrwalk{0, 2, "user.a"}}, Frame{6, Tread{2, 0, 10}},
                 Frame{7, Txattrwalk{0, 3, ""}}}},
      {"lock", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Tlcreate{1, "l", RDWR, 0644, 0}},
                Frame{3, Tlock{1, lock_type::WRLCK, 0, 0, 10, 1, "a"}}, Frame{4, Tgetlock{1, lock_type::WRLCK, 0, 5, 2, "b"}},
                Frame{5, Tlock{1, lock_type::UNLCK, 0, 0, 0, 1, "a"}}}},
      {"setattr-statfs", {Frame{1, Twalk{0, 1, {}}}, Frame{2, Tlcreate{1, "t", RDWR, 0644, 0}},
                          Frame{3, Tsetattr{1, setattr::SIZE | setattr::MODE | setattr::MTIME, 0600, 0, 0, 1 << 20, 0, 0, 0, 0}},
                          Frame{4, Tstatfs{0}}, Frame{5, Tfsync{1, 1}}, Frame{6, Tmknod{0, "p", 010644, 0, 0, 0}},
                          Frame{7, Tremove{1}}}},
      {"walk-dotdot", {Frame{1, Tmkdir{0, "x", 0755, 0}}, Frame{2, Twalk{0, 1, {"x", "..", "..", "x"}}},
                       Frame{3, Tflush{2}}, Frame{4, Twalk{1, 1, {"nope"}}}}},
  };
  for (const auto& [name, frames] : s) write_file(sdir + "/" + name, stream(frames));
  // Decoder seeds: one frame per message type from the capture (first seen).
  if (capture) {
    std::ifstream in(capture, std::ios::binary);
    std::vector<std::uint8_t> cap((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool seen[256] = {};
    for (std::size_t pos = 0; pos + 7 <= cap.size();) {
      DecodeError e;
      std::uint32_t len = frame_length(cap.data() + pos, cap.size() - pos, 0xFFFFFFFFu, &e);
      if (e != DecodeError::None || len > cap.size() - pos) break;
      std::uint8_t t = cap[pos + 4];
      if (!seen[t]) {
        seen[t] = true;
        write_file(ddir + "/cap-" + msg_name(t), std::vector<std::uint8_t>(cap.begin() + pos, cap.begin() + pos + len));
      }
      pos += len;
    }
  }
  // Decoder seeds for the types the capture lacks.
  std::vector<Frame> more = {Frame{1, Tauth{1, "u", "", 0}},        Frame{1, Rauth{}},
                             Frame{1, Tflush{3}},                   Frame{1, Rflush{}},
                             Frame{1, Tmknod{1, "p", 010644, 1, 2, 0}}, Frame{1, Rmknod{}},
                             Frame{1, Rxattrwalk{9}},               Frame{1, Txattrcreate{1, "user.a", 3, 1}},
                             Frame{1, Rxattrcreate{}},              Frame{1, Tfsync{1, 1}},
                             Frame{1, Rfsync{}},                    Frame{1, Tlock{1, 1, 1, 0, 0, 1, "c"}},
                             Frame{1, Rlock{1}},                    Frame{1, Tgetlock{1, 0, 0, 10, 1, "c"}},
                             Frame{1, Rgetlock{1, 0, 10, 2, "d"}},  Frame{1, Rrenameat{}},
                             Frame{1, Runlinkat{}},                 Frame{1, Rwalk{{Qid{0x80, 0, 5}}}}};
  for (const auto& f : more) write_file(ddir + "/hand-" + msg_name(static_cast<std::uint8_t>(type_of(f.body))), encode(f));
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "dict") {
    dict();
    return 0;
  }
  if (cmd == "seeds" && argc >= 4) {
    seeds(argv[2], argv[3], argc > 4 ? argv[4] : nullptr);
    return 0;
  }
  std::fprintf(stderr, "usage: gen_inputs dict | gen_inputs seeds DECODE_DIR SERVER_DIR [CAPTURE]\n");
  return 2;
}
