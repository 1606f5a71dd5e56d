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

// Closed and unlinked without waiting for the directory to be durable: a
// crash may bring the file back, and the next start-up empties it (files.h).
bool DirFiles::remove_now(Slot s) {
  auto it = fds_.find(s);
  if (it != fds_.end()) {
    ::close(it->second);
    fds_.erase(it);
  }
  ::unlink((dir_ + "/" + slot_name(s)).c_str());  // a file left behind is emptied at the next start-up
  return true;
}

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

void MemFiles::Bytes::write(std::uint64_t off, const std::uint8_t* p, std::size_t n) {
  for (std::size_t done = 0; done < n;) {
    std::uint64_t pos = off + done;
    std::uint64_t page = pos / kPage;
    std::size_t in = static_cast<std::size_t>(pos % kPage);
    std::size_t k = std::min(n - done, kPage - in);
    auto& buf = pages[page];
    if (buf.empty()) buf.assign(kPage, 0);
    std::memcpy(buf.data() + in, p + done, k);
    done += k;
  }
  size = std::max<std::uint64_t>(size, off + n);
}

std::size_t MemFiles::Bytes::read(std::uint64_t off, std::uint8_t* out, std::size_t n) const {
  if (off >= size) return 0;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size - off));
  for (std::size_t done = 0; done < n;) {
    std::uint64_t pos = off + done;
    std::size_t in = static_cast<std::size_t>(pos % kPage);
    std::size_t k = std::min(n - done, kPage - in);
    auto it = pages.find(pos / kPage);
    if (it == pages.end())
      std::memset(out + done, 0, k);
    else
      std::memcpy(out + done, it->second.data() + in, k);
    done += k;
  }
  return n;
}

void MemFiles::Bytes::resize(std::uint64_t new_size) {
  if (new_size < size) {
    // Drop whole pages past the end; zero the tail of the last one.
    pages.erase(pages.lower_bound((new_size + kPage - 1) / kPage), pages.end());
    auto it = pages.find(new_size / kPage);
    if (it != pages.end() && new_size % kPage)
      std::memset(it->second.data() + new_size % kPage, 0, kPage - new_size % kPage);
  }
  size = new_size;
}

MemFiles::MemFiles() {
  for (Slot s : {kJournal, kCheckpoint0, kCheckpoint1}) files_[s];
}

bool MemFiles::create_now(Slot s) {
  if (quota_ && total_size() >= *quota_) return false;  // no room for one more file
  files_[s];
  return true;
}

bool MemFiles::remove_now(Slot s) {
  auto it = files_.find(s);
  if (it == files_.end()) return true;
  removed_[s] = std::move(it->second);
  files_.erase(it);
  return true;
}

std::vector<std::uint8_t> MemFiles::bytes(Slot s) const {
  auto it = files_.find(s);
  if (it == files_.end()) return {};
  std::vector<std::uint8_t> out(static_cast<std::size_t>(it->second.now.size));
  it->second.now.read(0, out.data(), out.size());
  return out;
}

void MemFiles::set_bytes(Slot s, const std::vector<std::uint8_t>& b) {
  File& f = files_[s];
  f.now = Bytes{};
  f.now.write(0, b.data(), b.size());
  f.durable = f.now;
  f.since_flush.clear();
}

std::uint64_t MemFiles::total_size() const {
  std::uint64_t t = 0;
  for (const auto& [s, f] : files_) t += f.now.size;
  return t;
}

bool MemFiles::fits(Slot s, std::uint64_t new_size) const {
  if (!quota_) return true;
  std::uint64_t old = files_.at(s).now.size;
  return new_size <= old || total_size() - old + new_size <= *quota_;
}

Result<std::size_t> MemFiles::read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  return it->second.now.read(off, out, len);
}

Result<void> MemFiles::write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  auto& f = it->second;
  if (!fits(s, std::max<std::uint64_t>(f.now.size, off + len))) return Errno::NOSPC;
  f.now.write(off, data, len);
  f.since_flush.push_back({false, off, std::vector<std::uint8_t>(data, data + len)});
  return {};
}

Result<void> MemFiles::truncate(Slot s, std::uint64_t size) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  if (!fits(s, size)) return Errno::NOSPC;
  it->second.now.resize(size);
  it->second.since_flush.push_back({true, size, {}});
  return {};
}

Result<std::uint64_t> MemFiles::size(Slot s) {
  auto it = files_.find(s);
  if (it == files_.end()) return Errno::IO;
  return it->second.now.size;
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
        g.now.resize(c.off);
        continue;
      }
      std::size_t n = c.data.size();
      // The last change kept may be torn: only a prefix of its bytes landed.
      if (rng && i + 1 == keep && n > 0 && (*rng)() % 2 == 0) n = (*rng)() % n;
      g.now.write(c.off, c.data.data(), n);
    }
    g.durable = g.now;
    out->files_[s] = std::move(g);
    if (s >= kFirstData) out->add(s);
  }
  // A removal is a change of the directory, durable only later: after a
  // crash (rng) a removed file may be back, with what it durably held.
  if (rng)
    for (const auto& [s, f] : removed_)
      if ((*rng)() % 2 == 0) {
        File g;
        g.now = f.durable;
        g.durable = g.now;
        out->files_[s] = std::move(g);
        out->add(s);
      }
  return out;
}

}  // namespace p9::opfs
