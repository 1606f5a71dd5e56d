// The trace file (traces/FORMAT.md): a metadata header of `# key: value`
// lines, then one line per 9P frame in the order the recording proxy saw it:
//   <conn> <C|S> <seconds.micros> <hex of the whole frame>  # <printer line>
// The hex is authoritative; the printer line is for people and diffs.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "reference/codec/codec.h"

namespace p9::trace {

struct Record {
  std::size_t index = 0;  // ordinal among the frame lines, from 0 ("#N" in reports)
  int conn = 0;
  bool from_client = true;  // C (client -> server) or S (server -> client)
  double time = 0;          // seconds since the first frame
  std::vector<std::uint8_t> bytes;
  Decoded decoded;  // decoded as a request (C) or reply (S), msize unlimited
};

struct Trace {
  std::string name;                                       // file name without directory and ".trace"
  std::vector<std::pair<std::string, std::string>> meta;  // header, in file order
  std::vector<Record> records;
  std::string meta_value(const std::string& key) const;
};

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// For every record, the index of the reply that answers it (the next frame
// of its connection with its tag from the server), kNone for replies and
// for requests left unanswered.
std::vector<std::size_t> reply_index(const Trace& t);

// Reads a trace (a name ending in .xz or .gz is decompressed first); false +
// *error (with the line number) on a malformed line.
bool read_trace(const std::string& path, Trace* out, std::string* error);

std::string to_hex(const std::uint8_t* p, std::size_t n);
bool from_hex(const std::string& s, std::vector<std::uint8_t>* out);

// One frame line, without the newline.
std::string format_record_line(int conn, bool from_client, double time, const std::uint8_t* p, std::size_t n);

// The printer line of a frame (or "undecodable: ..." when it does not decode).
std::string describe(const Decoded& d);

}  // namespace p9::trace
