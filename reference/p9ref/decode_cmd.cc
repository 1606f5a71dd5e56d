// `p9ref decode [FILE|-]`: prints one line per 9P frame of a byte stream
// (both directions may be interleaved, as in a capture). A bad frame is
// reported with its byte offset and reason; decoding goes on after a frame
// whose size field still delimits it, and stops where it cannot.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"
#include "reference/p9ref/commands.h"

namespace p9::tool {

int decode_main(const std::vector<std::string>& args) {
  std::string path = "-";
  std::uint32_t msize = 0xFFFFFFFFu;
  bool offsets = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--msize" && i + 1 < args.size()) {
      msize = static_cast<std::uint32_t>(std::stoul(args[++i]));
    } else if (a == "--offsets") {
      offsets = true;
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: p9ref decode [--msize N] [--offsets] [FILE|-]\n"
                  "  Prints one line per 9P2000.L frame read from FILE (or stdin).\n"
                  "  Exit status: 0 all frames decoded, 1 a frame was bad, 2 usage or I/O error.\n");
      return 0;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "p9ref decode: unknown option %s (try --help)\n", a.c_str());
      return 2;
    } else {
      path = a;
    }
  }
  std::FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!in) {
    std::fprintf(stderr, "p9ref decode: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return 2;
  }
  std::vector<std::uint8_t> buf;
  std::size_t start = 0;      // offset in buf of the next frame
  std::uint64_t base = 0;     // stream offset of buf[0]
  std::uint64_t frames = 0, bad = 0;
  bool eof = false;
  int status = 0;
  while (true) {
    // Refill when the next frame is not wholly buffered.
    DecodeError ferr;
    std::uint32_t need = frame_length(buf.data() + start, buf.size() - start, msize, &ferr);
    if (ferr != DecodeError::None) {
      std::fprintf(stderr, "p9ref decode: bad frame at byte %llu: %s (size field %u); cannot find the next frame, stopping\n",
                   static_cast<unsigned long long>(base + start), to_string(ferr), need);
      status = 1;
      ++bad;
      break;
    }
    std::size_t have = buf.size() - start;
    if (need == 0 || have < need) {
      if (eof) {
        if (have != 0) {
          std::fprintf(stderr, "p9ref decode: truncated frame at byte %llu: %zu of %u bytes present at end of input\n",
                       static_cast<unsigned long long>(base + start), have, need);
          status = 1;
          ++bad;
        }
        break;
      }
      if (start > 0) {
        buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(start));
        base += start;
        start = 0;
      }
      std::size_t old = buf.size();
      std::size_t want = need > have ? need - have : 65536;
      if (want < 65536) want = 65536;
      buf.resize(old + want);
      std::size_t got = std::fread(buf.data() + old, 1, want, in);
      buf.resize(old + got);
      if (got == 0) eof = true;
      continue;
    }
    Decoded d = decode(buf.data() + start, need, Expect::Any, msize);
    if (d.ok()) {
      if (offsets) std::printf("%llu: ", static_cast<unsigned long long>(base + start));
      std::printf("%s\n", to_string(d.frame).c_str());
      ++frames;
    } else {
      std::fprintf(stderr, "p9ref decode: bad frame at byte %llu (field at byte %llu): %s: %s\n",
                   static_cast<unsigned long long>(base + start),
                   static_cast<unsigned long long>(base + start + d.error_offset), to_string(d.error),
                   d.detail.c_str());
      status = 1;
      ++bad;
    }
    start += need;
  }
  if (in != stdin) std::fclose(in);
  if (std::ferror(stdout)) return 2;
  std::fprintf(stderr, "p9ref decode: %llu frames decoded, %llu bad\n", static_cast<unsigned long long>(frames),
               static_cast<unsigned long long>(bad));
  return status;
}

}  // namespace p9::tool
