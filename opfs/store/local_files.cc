#include "opfs/store/local_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace p9::opfs {

// ---- DirFiles -----------------------------------------------------------------

std::shared_ptr<DirFiles> DirFiles::open(const std::string& dir, std::string* error) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  std::shared_ptr<DirFiles> f(new DirFiles(dir));
  for (Slot s : {kJournal, kCheckpoint0, kCheckpoint1})
    if (!f->open_slot(s)) {
      *error = "cannot open " + dir + "/" + slot_name(s) + ": " + std::strerror(errno);
      return nullptr;
    }
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    *error = "cannot list " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  std::vector<Slot> found;
  while (dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (n[0] != 'd' || n[1] == '\0' || std::strspn(n + 1, "0123456789") != std::strlen(n + 1)) continue;
    unsigned long v = std::strtoul(n + 1, nullptr, 10);
    if (v >= kFirstData && v < (1ul << 31) && slot_name(static_cast<Slot>(v)) == n)
      found.push_back(static_cast<Slot>(v));
  }
  ::closedir(d);
  std::sort(found.begin(), found.end());
  for (Slot s : found) {
    if (!f->open_slot(s)) {
      *error = "cannot open " + dir + "/" + slot_name(s) + ": " + std::strerror(errno);
      return nullptr;
    }
    f->add(s);
  }
  return f;
}

DirFiles::~DirFiles() {
  for (auto& [s, fd] : fds_) ::close(fd);
}

bool DirFiles::open_slot(Slot s) {
  int fd = ::open((dir_ + "/" + slot_name(s)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  fds_[s] = fd;
  return true;
}

bool DirFiles::create_now(Slot s) { return open_slot(s); }

int DirFiles::fd(Slot s) const {
  auto it = fds_.find(s);
  return it == fds_.end() ? -1 : it->second;
}

namespace {
Errno host_errno() { return errno == ENOSPC || errno == EDQUOT ? Errno::NOSPC : Errno::IO; }
}  // namespace

Result<std::size_t> DirFiles::read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) {
  std::size_t got = 0;
  while (got < len) {
    ssize_t n = ::pread(fd(s), out + got, len - got, static_cast<off_t>(off + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno::IO;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

Result<void> DirFiles::write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  std::size_t done = 0;
  while (done < len) {
    ssize_t n = ::pwrite(fd(s), data + done, len - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return host_errno();
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> DirFiles::truncate(Slot s, std::uint64_t size) {
  if (::ftruncate(fd(s), static_cast<off_t>(size)) != 0) return host_errno();
  return {};
}

Result<std::uint64_t> DirFiles::size(Slot s) {
  struct stat st;
  if (::fstat(fd(s), &st) != 0) return Errno::IO;
  return static_cast<std::uint64_t>(st.st_size);
}

Result<void> DirFiles::flush(Slot s) {
  if (::fdatasync(fd(s)) != 0) return Errno::IO;
  return {};
}

// ---- MemFiles -----------------------------------------------------------------

MemFiles::MemFiles() {
  for (Slot s : {kJournal, kCheckpoint0, kCheckpoint1}) files_[s];
}

bool MemFiles::create_now(Slot s) {
  if (quota_ && total_size() >= *quota_) return false;  // no room for one more file
  files_[s];
  return true;
}

std::uint64_t MemFiles::total_size() const {
  std::uint64_t t = 0;
  for (const auto& [s, f] : files_) t += f.now.size();
  return t;
}

bool MemFiles::fits(Slot s, std::uint64_t new_size) const {
  if (!quota_) return true;
  std::uint64_t old = files_.at(s).now.size();
  return new_size <= old || total_size() - old + new_size <= *quota_;
}

Result<std::size_t> MemFiles::read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  const auto& b = it->second.now;
  if (off >= b.size()) return std::size_t{0};
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, b.size() - off));
  std::memcpy(out, b.data() + off, n);
  return n;
}

Result<void> MemFiles::write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  auto& f = it->second;
  std::uint64_t end = std::max<std::uint64_t>(f.now.size(), off + len);
  if (!fits(s, end)) return Errno::NOSPC;
  if (f.now.size() < end) f.now.resize(end, 0);
  std::memcpy(f.now.data() + off, data, len);
  f.since_flush.push_back({false, off, std::vector<std::uint8_t>(data, data + len)});
  return {};
}

Result<void> MemFiles::truncate(Slot s, std::uint64_t size) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  if (!fits(s, size)) return Errno::NOSPC;
  it->second.now.resize(size, 0);
  it->second.since_flush.push_back({true, size, {}});
  return {};
}

Result<std::uint64_t> MemFiles::size(Slot s) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  return static_cast<std::uint64_t>(it->second.now.size());
}

Result<void> MemFiles::flush(Slot s) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  it->second.durable = it->second.now;
  it->second.since_flush.clear();
  return {};
}

std::shared_ptr<MemFiles> MemFiles::crash(std::mt19937_64* rng) const {
  auto out = std::make_shared<MemFiles>();
  for (const auto& [s, f] : files_) {
    File g;
    g.now = f.durable;
    std::size_t keep = f.since_flush.size();
    if (rng) keep = std::uniform_int_distribution<std::size_t>(0, keep)(*rng);
    for (std::size_t i = 0; i < keep; ++i) {
      const Change& c = f.since_flush[i];
      if (c.truncate) {
        g.now.resize(c.off, 0);
        continue;
      }
      std::size_t n = c.data.size();
      // The last change kept may be torn: only a prefix of its bytes landed.
      if (rng && i + 1 == keep && n > 0 && (*rng)() % 2 == 0) n = (*rng)() % n;
      if (g.now.size() < c.off + n) g.now.resize(c.off + n, 0);
      std::memcpy(g.now.data() + c.off, c.data.data(), n);
    }
    g.durable = g.now;
    out->files_[s] = std::move(g);
    if (s >= kFirstData) out->add(s);
  }
  return out;
}

}  // namespace p9::opfs
