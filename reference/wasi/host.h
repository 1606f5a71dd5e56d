// p9::wasi::Host: WASI preview1's file-system calls over the backend seam
// (reference/fs/backend.h), for one program with one preopened directory.
//
// The native C++ entry of the WASI front end: every call takes and returns
// plain C++ values (spans, strings, structs of reference/wasi/types.h), never
// wasm memory, so an import layer (wasi_snapshot_preview1 over a wasm
// instance's memory) sits on top and does only the copying. Each call is the
// witx function of the same name (WebAssembly/WASI phases/snapshot/witx/
// wasi_snapshot_preview1.witx); answers are WASI errnos (errno.h).
//
// Where the rules come from:
//  - file-system rules are the shared core's: paths are walked by
//    fs::Resolver with Escape::Refuse from the directory fd the call names,
//    files opened or created by fs::open_at / fs::open_node, names checked
//    by the backend (fs/names.h), arguments by fs/rules.h;
//  - capability rules are WASI's as the strictest runtime applies them
//    (wasmtime on cap-std): no path leaves the directory fd it starts from,
//    not even for a moment (an absolute path, a ".." above it, a symlink
//    whose target is absolute or climbs above it), and each fd's rights are
//    checked before the call (reference/wasi/README.md lists every place
//    where WASI and Linux differ, with its source).
//
// Not thread-safe: one program, one thread (the fd table is unguarded).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "reference/fs/backend.h"
#include "reference/fs/resolve.h"
#include "reference/wasi/errno.h"
#include "reference/wasi/result.h"
#include "reference/wasi/types.h"

namespace p9::wasi {

using Iovec = std::span<std::uint8_t>;         // `$iovec`
using Ciovec = std::span<const std::uint8_t>;  // `$ciovec`

class Host {
 public:
  struct Options {
    // The permission bits of what path_open and path_create_directory make
    // (WASI has no mode argument): Rust std's defaults (0666 files, 0777
    // directories) under the usual umask 022.
    std::uint32_t file_mode = 0644;
    std::uint32_t dir_mode = 0755;
  };

  // fds 0, 1, 2 are the program's stdin (reads end of file), stdout and
  // stderr (writes go to `output`); fd 3 is the preopen: `dir` of the
  // backend, shown to the program as `preopen_name` (fd_prestat_dir_name),
  // with every right. `cred` is the user every call acts for. The error is
  // the backend's when the preopen cannot be opened.
  static Result<std::unique_ptr<Host>> create(fs::Backend& backend, fs::Cred cred, fs::NodeRef dir,
                                              std::string preopen_name, Options options);
  static Result<std::unique_ptr<Host>> create(fs::Backend& backend, fs::Cred cred, fs::NodeRef dir,
                                              std::string preopen_name) {
    return create(backend, std::move(cred), std::move(dir), std::move(preopen_name), Options{});
  }
  static constexpr Fd kPreopenFd = 3;
  // A Host whose preopen is the directory `dir` in the backend's root: made
  // (0755) by `cred`, or, with NewOrExisting, the one already there (a
  // persistent store's, whose contents are the program's). What p9wasi, the
  // OPFS worker, the replayer and the tests start a program on.
  enum class Dir { New, NewOrExisting };
  static Result<std::unique_ptr<Host>> in_directory(fs::Backend& backend, const fs::Cred& cred,
                                                    std::string_view dir, std::string preopen_name,
                                                    Dir how = Dir::New);

  // Where fd_write on fds 1 and 2 goes (default: nowhere).
  void set_output(std::function<void(Fd, std::string_view)> output) { output_ = std::move(output); }

  // ---- paths (each relative to a directory fd) ----
  Result<Fd> path_open(Fd dirfd, std::uint32_t lookupflags, std::string_view path, std::uint16_t oflags,
                       std::uint64_t rights_base, std::uint64_t rights_inheriting, std::uint16_t fdflags);
  Result<Filestat> path_filestat_get(Fd dirfd, std::uint32_t lookupflags, std::string_view path);
  Errno path_filestat_set_times(Fd dirfd, std::uint32_t lookupflags, std::string_view path,
                                std::uint64_t atim, std::uint64_t mtim, std::uint16_t fst_flags);
  Errno path_create_directory(Fd dirfd, std::string_view path);
  Errno path_remove_directory(Fd dirfd, std::string_view path);
  Errno path_unlink_file(Fd dirfd, std::string_view path);
  Errno path_rename(Fd old_dirfd, std::string_view old_path, Fd new_dirfd, std::string_view new_path);
  Errno path_symlink(std::string_view target, Fd dirfd, std::string_view path);
  // The whole target; the import layer cuts it to the caller's buffer
  // (witx path_readlink returns bufused, with no error for a short buffer).
  Result<std::string> path_readlink(Fd dirfd, std::string_view path);
  Errno path_link(Fd old_dirfd, std::uint32_t old_lookupflags, std::string_view old_path, Fd new_dirfd,
                  std::string_view new_path);

  // ---- fds ----
  Result<std::size_t> fd_read(Fd fd, std::span<const Iovec> iovs);
  Result<std::size_t> fd_write(Fd fd, std::span<const Ciovec> iovs);
  Result<std::size_t> fd_pread(Fd fd, std::span<const Iovec> iovs, std::uint64_t offset);
  Result<std::size_t> fd_pwrite(Fd fd, std::span<const Ciovec> iovs, std::uint64_t offset);
  Result<std::uint64_t> fd_seek(Fd fd, std::int64_t offset, Whence whence);
  Result<std::uint64_t> fd_tell(Fd fd);
  Errno fd_close(Fd fd);
  Errno fd_renumber(Fd from, Fd to);
  // Fills `buf` with dirents from `cookie` on (reference/wasi/dirent.h);
  // returns bufused.
  Result<std::size_t> fd_readdir(Fd fd, std::span<std::uint8_t> buf, std::uint64_t cookie);
  Result<Filestat> fd_filestat_get(Fd fd);
  Errno fd_filestat_set_size(Fd fd, std::uint64_t size);
  Errno fd_filestat_set_times(Fd fd, std::uint64_t atim, std::uint64_t mtim, std::uint16_t fst_flags);
  // posix_fadvise(2): advice only, nothing to do for these stores; the
  // arguments are checked.
  Errno fd_advise(Fd fd, std::uint64_t offset, std::uint64_t len, Advice advice);
  // posix_fallocate(3) (fs::OpenFile::allocate).
  Errno fd_allocate(Fd fd, std::uint64_t offset, std::uint64_t len);
  Errno fd_sync(Fd fd);
  Errno fd_datasync(Fd fd);
  Result<Fdstat> fd_fdstat_get(Fd fd);
  // sock_accept, sock_recv, sock_send, sock_shutdown: no descriptor of this
  // Host is a socket, so each is EBADF for a closed fd and ENOTSOCK for an
  // open one (witx $errno notsock; wasi-testsuite sock_shutdown-not_sock,
  // sock_shutdown-invalid_fd).
  Errno sock_call(Fd fd);
  Errno fd_fdstat_set_flags(Fd fd, std::uint16_t flags);
  Errno fd_fdstat_set_rights(Fd fd, std::uint64_t rights_base, std::uint64_t rights_inheriting);
  Result<Prestat> fd_prestat_get(Fd fd);
  Result<std::string> fd_prestat_dir_name(Fd fd);

  // The open fds, lowest first (for tests and traces).
  std::vector<Fd> fds() const;

 private:
  struct Entry {
    bool stdio = false;
    fs::NodeRef node;
    fs::OpenRef file;  // the open file description (directories too: readdir)
    fs::FileType type = fs::FileType::Regular;
    std::uint64_t pos = 0;
    std::uint16_t flags = 0;  // fdflags
    std::uint64_t base = 0, inheriting = 0;
    std::optional<std::string> preopen;  // the preopen's name
  };

  Host(fs::Backend& backend, fs::Cred cred, Options options);
  // The entry of `fd` holding every right of `rights`: EBADF when there is
  // none, ENOTCAPABLE when a right is missing.
  Result<Entry*> get(Fd fd, std::uint64_t rights);
  // A directory fd holding `rights`, as a place to walk from, and the
  // resolver confined to it.
  struct Start {
    Entry* entry;
    fs::Place place;
  };
  Result<Start> dir(Fd fd, std::uint64_t rights);
  fs::Resolver resolver(const Start& s) const;
  // A path's node (following a symlink in the last component when asked) or
  // its directory and last name.
  Result<fs::Place> walk(const Start& s, std::string_view path, bool follow);
  Result<fs::Place> walk_parent(const Start& s, std::string_view path, std::string& last);
  Errno slash_on_new_nondir(const fs::Place& dir, const std::string& last);
  Fd lowest_free() const;
  Result<std::size_t> write_at(Entry& e, std::span<const Ciovec> iovs, std::uint64_t offset);
  Result<std::size_t> read_at(Entry& e, std::span<const Iovec> iovs, std::uint64_t offset);

  fs::Backend& backend_;
  fs::Cred cred_;
  Options options_;
  std::map<Fd, Entry> fds_;
  std::function<void(Fd, std::string_view)> output_;
};

}  // namespace p9::wasi
