/* Probes of open, read, write, seek, truncate and the fd calls: open(2),
 * read(2), write(2), pread(2), lseek(2), ftruncate(2), fcntl(2),
 * posix_fallocate(3), posix_fadvise(2); in WASI path_open, fd_read, fd_write,
 * fd_pread, fd_pwrite, fd_seek, fd_filestat_set_size, fd_fdstat_get/
 * set_flags, fd_allocate, fd_advise. */
#include <sys/uio.h>

#include "probe.h"

PROBE(open_missing) { return R(open("nx", O_RDONLY)); }
PROBE(creat_new) {
  const char* r = R(open("f", O_CREAT | O_WRONLY, 0644));
  return F("%s %s", r, kind("f"));
}
PROBE(creat_excl_exists) {
  put("f", "x");
  return R(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
}
PROBE(creat_excl_new) {
  const char* r = R(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
  return F("%s %s", r, kind("f"));
}
PROBE(creat_excl_dangling_symlink) {
  symlink("target", "l");
  const char* r = R(open("l", O_CREAT | O_EXCL | O_WRONLY, 0644));
  return F("%s target:%s", r, kind("target"));
}
PROBE(creat_dangling_symlink) {
  symlink("target", "l");
  const char* r = R(open("l", O_CREAT | O_WRONLY, 0644));
  return F("%s target:%s link:%s", r, kind("target"), kind("l"));
}
PROBE(creat_dangling_symlink_missing_dir) {
  symlink("nodir/target", "l");
  return R(open("l", O_CREAT | O_WRONLY, 0644));
}
PROBE(creat_dangling_symlink_nofollow) {
  symlink("target", "l");
  const char* r = R(open("l", O_CREAT | O_WRONLY | O_NOFOLLOW, 0644));
  return F("%s target:%s", r, kind("target"));
}
PROBE(creat_existing_dir) {
  mkdir("d", 0755);
  return R(open("d", O_CREAT | O_RDONLY, 0644));
}
PROBE(creat_excl_existing_dir) {
  mkdir("d", 0755);
  return R(open("d", O_CREAT | O_EXCL | O_RDONLY, 0644));
}
PROBE(creat_trailing_slash) {
  const char* r = R(open("new/", O_CREAT | O_WRONLY, 0644));
  return F("%s %s", r, kind("new"));
}
PROBE(creat_in_missing_dir) { return R(open("nodir/f", O_CREAT | O_WRONLY, 0644)); }
PROBE(creat_under_file) {
  put("f", "x");
  return R(open("f/g", O_CREAT | O_WRONLY, 0644));
}
PROBE(open_trunc) {
  put("f", "hello");
  int fd = open("f", O_WRONLY | O_TRUNC);
  return F("%s size:%lld", R(fd), size_of("f"));
}
PROBE(open_trunc_rdonly) {
  put("f", "hello");
  int fd = open("f", O_RDONLY | O_TRUNC);
  return F("%s size:%lld", R(fd), size_of("f"));
}
PROBE(open_empty_path) { return R(open("", O_RDONLY)); }
PROBE(open_dir_rdonly) {
  mkdir("d", 0755);
  return R(open("d", O_RDONLY));
}
PROBE(open_dir_wronly) {
  mkdir("d", 0755);
  return R(open("d", O_WRONLY));
}
PROBE(open_dir_rdwr) {
  mkdir("d", 0755);
  return R(open("d", O_RDWR));
}
PROBE(open_dir_odirectory) {
  mkdir("d", 0755);
  return R(open("d", O_RDONLY | O_DIRECTORY));
}
PROBE(open_file_odirectory) {
  put("f", "x");
  return R(open("f", O_RDONLY | O_DIRECTORY));
}
PROBE(open_file_trailing_slash) {
  put("f", "x");
  return R(open("f/", O_RDONLY));
}
PROBE(open_file_trailing_dot) {
  put("f", "x");
  return R(open("f/.", O_RDONLY));
}
PROBE(open_dot) { return R(open(".", O_RDONLY)); }
PROBE(open_dot_creat) { return R(open(".", O_CREAT | O_WRONLY, 0644)); }
PROBE(open_nametoolong) {
  char n[300];
  memset(n, 'a', 256);
  n[256] = 0;
  return R(open(n, O_CREAT | O_WRONLY, 0644));
}
PROBE(open_name_255) {
  char n[300];
  memset(n, 'b', 255);
  n[255] = 0;
  const char* r = R(open(n, O_CREAT | O_WRONLY, 0644));
  return F("%s %s", r, kind(n));
}
PROBE(write_rdonly) {
  put("f", "hello");
  int fd = open("f", O_RDONLY);
  return R(write(fd, "x", 1));
}
PROBE(read_wronly) {
  put("f", "hello");
  int fd = open("f", O_WRONLY);
  char b[4];
  return R(read(fd, b, 4));
}
PROBE(pwrite_rdonly) {
  put("f", "hello");
  int fd = open("f", O_RDONLY);
  return R(pwrite(fd, "x", 1, 0));
}
PROBE(pread_wronly) {
  put("f", "hello");
  int fd = open("f", O_WRONLY);
  char b[4];
  return R(pread(fd, b, 4, 0));
}
PROBE(read_dir_fd) {
  mkdir("d", 0755);
  int fd = open("d", O_RDONLY | O_DIRECTORY);
  char b[4];
  return R(read(fd, b, 4));
}
PROBE(write_then_read) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  write(fd, "hello", 5);
  char b[8] = {0};
  lseek(fd, 0, SEEK_SET);
  long n = read(fd, b, 8);
  return F("%ld '%s'", n, b);
}
PROBE(read_sequential) {
  put("f", "abcdef");
  int fd = open("f", O_RDONLY);
  char a[4] = {0}, b[4] = {0}, c[4] = {0};
  long x = read(fd, a, 3), y = read(fd, b, 3), z = read(fd, c, 3);
  return F("%ld'%s' %ld'%s' %ld", x, a, y, b, z);
}
PROBE(read_zero_len) {
  put("f", "abc");
  int fd = open("f", O_RDONLY);
  char b[1];
  return F("%ld", (long)read(fd, b, 0));
}
PROBE(write_zero_len) {
  int fd = open("f", O_CREAT | O_WRONLY, 0644);
  long n = write(fd, "", 0);
  return F("%ld size:%lld", n, size_of("f"));
}
PROBE(writev_readv) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
  long n = writev(fd, w, 3);
  char x[2] = {0}, y[5] = {0};
  struct iovec r[2] = {{x, 1}, {y, 4}};
  long m = preadv(fd, r, 2, 0);
  return F("%ld %ld '%s' '%s'", n, m, x, y);
}
PROBE(write_large) {
  static char big[200000];
  for (size_t i = 0; i < sizeof big; ++i) big[i] = (char)(i * 7 + 3);
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  long n = 0;
  while (n < (long)sizeof big) {
    long k = write(fd, big + n, sizeof big - n);
    if (k <= 0) return R(k);
    n += k;
  }
  static char back[200000];
  long m = 0;
  while (m < (long)sizeof back) {
    long k = pread(fd, back + m, sizeof back - m, m);
    if (k <= 0) break;
    m += k;
  }
  return F("%ld %ld %s", n, m, memcmp(big, back, sizeof big) == 0 ? "same" : "differ");
}
PROBE(append_write) {
  put("f", "hello");
  int fd = open("f", O_WRONLY | O_APPEND);
  write(fd, "abc", 3);
  return get("f");
}
PROBE(append_write_after_seek) {
  put("f", "hello");
  int fd = open("f", O_WRONLY | O_APPEND);
  lseek(fd, 1, SEEK_SET);
  write(fd, "Z", 1);
  long long pos = lseek(fd, 0, SEEK_CUR);
  return F("%s pos:%lld", get("f"), pos);
}
PROBE(append_pwrite) {
  put("f", "hello");
  int fd = open("f", O_WRONLY | O_APPEND);
  long n = pwrite(fd, "X", 1, 0);
  return F("%ld %s", n, get("f"));
}
PROBE(append_pwrite_position) {
  put("f", "hello");
  int fd = open("f", O_RDWR | O_APPEND);
  pwrite(fd, "XY", 2, 1);
  return F("pos:%lld", (long long)lseek(fd, 0, SEEK_CUR));
}
PROBE(append_position_after_write) {
  put("f", "hello");
  int fd = open("f", O_RDWR | O_APPEND);
  write(fd, "ab", 2);
  return F("pos:%lld", (long long)lseek(fd, 0, SEEK_CUR));
}
PROBE(append_read_from_start) {
  put("f", "hello");
  int fd = open("f", O_RDWR | O_APPEND);
  char b[8] = {0};
  return F("%ld '%s'", (long)read(fd, b, 7), b);
}
PROBE(setfl_append) {
  put("f", "hello");
  int fd = open("f", O_WRONLY);
  int r = fcntl(fd, F_SETFL, O_APPEND);
  write(fd, "!", 1);
  return F("%s %s", R(r), get("f"));
}
PROBE(setfl_clear_append) {
  put("f", "hello");
  int fd = open("f", O_WRONLY | O_APPEND);
  int r = fcntl(fd, F_SETFL, 0);
  lseek(fd, 0, SEEK_SET);
  write(fd, "J", 1);
  return F("%s %s", R(r), get("f"));
}
PROBE(getfl_append) {
  put("f", "x");
  int fd = open("f", O_WRONLY | O_APPEND);
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? en(errno) : (fl & O_APPEND) ? "append" : "no-append";
}
static const char* accmode(int fl) {
  if (fl < 0) return en(errno);
  switch (fl & O_ACCMODE) {
    case O_RDONLY:
      return "rdonly";
    case O_WRONLY:
      return "wronly";
    case O_RDWR:
      return "rdwr";
  }
  return "other";
}
PROBE(getfl_rdonly) {
  put("f", "x");
  return accmode(fcntl(open("f", O_RDONLY), F_GETFL));
}
PROBE(getfl_wronly) {
  put("f", "x");
  return accmode(fcntl(open("f", O_WRONLY), F_GETFL));
}
PROBE(getfl_rdwr) {
  put("f", "x");
  return accmode(fcntl(open("f", O_RDWR), F_GETFL));
}
PROBE(getfl_dir) {
  mkdir("d", 0755);
  return accmode(fcntl(open("d", O_RDONLY | O_DIRECTORY), F_GETFL));
}
PROBE(pread_at_eof) {
  put("f", "abc");
  int fd = open("f", O_RDONLY);
  char b[4];
  return F("%ld", (long)pread(fd, b, 4, 100));
}
PROBE(pread_negative) {
  put("f", "abc");
  char b[4];
  return R(pread(open("f", O_RDONLY), b, 4, -1));
}
PROBE(pread_keeps_position) {
  put("f", "abcdef");
  int fd = open("f", O_RDONLY);
  char b[4] = {0};
  read(fd, b, 2);
  pread(fd, b, 3, 3);
  return F("pos:%lld", (long long)lseek(fd, 0, SEEK_CUR));
}
PROBE(pwrite_beyond_end) {
  put("f", "ab");
  int fd = open("f", O_RDWR);
  pwrite(fd, "Z", 1, 5);
  char b[8] = {0};
  long n = pread(fd, b, 8, 0);
  return F("%ld %d%d%d%d%d%c", n, b[0] == 'a', b[1] == 'b', b[2], b[3], b[4], b[5]);
}
PROBE(pwrite_negative) { return R(pwrite(open("f", O_CREAT | O_RDWR, 0644), "x", 1, -1)); }
PROBE(lseek_end) {
  put("f", "hello");
  return F("%lld", (long long)lseek(open("f", O_RDONLY), 0, SEEK_END));
}
PROBE(lseek_end_negative) {
  put("f", "hello");
  return F("%lld", (long long)lseek(open("f", O_RDONLY), -2, SEEK_END));
}
PROBE(lseek_before_start) {
  put("f", "hello");
  return R(lseek(open("f", O_RDONLY), -1, SEEK_SET));
}
PROBE(lseek_cur_before_start) {
  put("f", "hello");
  int fd = open("f", O_RDONLY);
  lseek(fd, 2, SEEK_SET);
  return R(lseek(fd, -3, SEEK_CUR));
}
PROBE(lseek_bad_whence) {
  put("f", "hello");
  return R(lseek(open("f", O_RDONLY), 0, 7));
}
PROBE(lseek_beyond_then_write) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  lseek(fd, 100, SEEK_SET);
  write(fd, "x", 1);
  return F("size:%lld", size_of("f"));
}
PROBE(lseek_dir) {
  mkdir("d", 0755);
  return R(lseek(open("d", O_RDONLY | O_DIRECTORY), 0, SEEK_SET));
}
PROBE(lseek_closed) { return R(lseek(99, 0, SEEK_SET)); }
PROBE(ftruncate_grow) {
  put("f", "ab");
  int fd = open("f", O_RDWR);
  int r = ftruncate(fd, 6);
  char b[8] = {0};
  long n = pread(fd, b, 8, 0);
  return F("%s %ld %d%d%d", R(r), n, b[2], b[3], b[5]);
}
PROBE(ftruncate_shrink) {
  put("f", "hello");
  int r = ftruncate(open("f", O_RDWR), 2);
  return F("%s %s", R(r), get("f"));
}
PROBE(ftruncate_rdonly) {
  put("f", "hello");
  const char* r = R(ftruncate(open("f", O_RDONLY), 1));
  return F("%s size:%lld", r, size_of("f"));
}
PROBE(ftruncate_negative) {
  put("f", "hello");
  return R(ftruncate(open("f", O_RDWR), -1));
}
PROBE(ftruncate_dir) {
  mkdir("d", 0755);
  return R(ftruncate(open("d", O_RDONLY | O_DIRECTORY), 0));
}
PROBE(ftruncate_keeps_position) {
  put("f", "hello");
  int fd = open("f", O_RDWR);
  lseek(fd, 4, SEEK_SET);
  ftruncate(fd, 1);
  return F("pos:%lld", (long long)lseek(fd, 0, SEEK_CUR));
}
PROBE(truncate_path) {
  put("f", "hello");
  const char* r = R(truncate("f", 3));
  return F("%s %s", r, get("f"));
}
PROBE(truncate_dir) {
  mkdir("d", 0755);
  return R(truncate("d", 0));
}
PROBE(truncate_missing) { return R(truncate("nx", 0)); }
PROBE(close_twice) {
  int fd = open("f", O_CREAT | O_WRONLY, 0644);
  close(fd);
  return R(close(fd));
}
PROBE(write_after_close) {
  int fd = open("f", O_CREAT | O_WRONLY, 0644);
  close(fd);
  return R(write(fd, "x", 1));
}
PROBE(fd_reuse_lowest) {
  int a = open(".", O_RDONLY), b = open(".", O_RDONLY);
  close(a);
  int c = open(".", O_RDONLY);
  close(b);
  close(c);
  return c == a ? "lowest" : "other";
}
PROBE(fsync_file) { return R(fsync(open("f", O_CREAT | O_WRONLY, 0644))); }
PROBE(fsync_rdonly) {
  put("f", "x");
  return R(fsync(open("f", O_RDONLY)));
}
PROBE(fdatasync_file) { return R(fdatasync(open("f", O_CREAT | O_WRONLY, 0644))); }
PROBE(fsync_dir) {
  mkdir("d", 0755);
  return R(fsync(open("d", O_RDONLY | O_DIRECTORY)));
}
PROBE(fallocate_grow) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  int r = posix_fallocate(fd, 0, 100);
  return F("%s size:%lld", en(r), size_of("f"));
}
PROBE(fallocate_zero_len) { return en(posix_fallocate(open("f", O_CREAT | O_RDWR, 0644), 0, 0)); }
PROBE(fallocate_inside) {
  put("f", "hello");
  int r = posix_fallocate(open("f", O_RDWR), 1, 2);
  return F("%s %s", en(r), get("f"));
}
PROBE(fadvise_normal) {
  return en(posix_fadvise(open("f", O_CREAT | O_RDWR, 0644), 0, 0, POSIX_FADV_NORMAL));
}
PROBE(fadvise_bad_advice) { return en(posix_fadvise(open("f", O_CREAT | O_RDWR, 0644), 0, 0, 99)); }
PROBE(fstat_after_write) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  write(fd, "abcdefg", 7);
  struct stat st;
  int r = fstat(fd, &st);
  return F("%s size:%lld %s", R(r), (long long)st.st_size, kind_of(st.st_mode));
}
PROBE(fstat_closed) {
  struct stat st;
  return R(fstat(77, &st));
}
PROBE(unlinked_open_file) {
  put("f", "hello");
  int fd = open("f", O_RDWR);
  unlink("f");
  char b[8] = {0};
  long n = pread(fd, b, 7, 0);
  struct stat st;
  fstat(fd, &st);
  return F("%ld '%s' nlink:%lld %s", n, b, (long long)st.st_nlink, kind("f"));
}
PROBE(unlinked_open_file_write) {
  put("f", "hello");
  int fd = open("f", O_RDWR);
  unlink("f");
  long n = pwrite(fd, "XYZ", 3, 3);
  struct stat st;
  fstat(fd, &st);
  return F("%ld size:%lld", n, (long long)st.st_size);
}
PROBE(two_fds_share_file) {
  int a = open("f", O_CREAT | O_RDWR, 0644), b = open("f", O_RDWR);
  write(a, "one", 3);
  char x[4] = {0};
  long n = read(b, x, 3);
  return F("%ld '%s'", n, x);
}
PROBE(two_fds_own_positions) {
  put("f", "abcdef");
  int a = open("f", O_RDONLY), b = open("f", O_RDONLY);
  char x[3] = {0}, y[3] = {0};
  read(a, x, 2);
  read(b, y, 2);
  return F("'%s' '%s'", x, y);
}

static const struct probe probes[] = {
    P(open_missing),
    P(creat_new),
    P(creat_excl_exists),
    P(creat_excl_new),
    P(creat_excl_dangling_symlink),
    P(creat_dangling_symlink),
    P(creat_dangling_symlink_missing_dir),
    P(creat_dangling_symlink_nofollow),
    P(creat_existing_dir),
    P(creat_excl_existing_dir),
    P(creat_trailing_slash),
    P(creat_in_missing_dir),
    P(creat_under_file),
    P(open_trunc),
    P(open_trunc_rdonly),
    P(open_empty_path),
    P(open_dir_rdonly),
    P(open_dir_wronly),
    P(open_dir_rdwr),
    P(open_dir_odirectory),
    P(open_file_odirectory),
    P(open_file_trailing_slash),
    P(open_file_trailing_dot),
    P(open_dot),
    P(open_dot_creat),
    P(open_nametoolong),
    P(open_name_255),
    P(write_rdonly),
    P(read_wronly),
    P(pwrite_rdonly),
    P(pread_wronly),
    P(read_dir_fd),
    P(write_then_read),
    P(read_sequential),
    P(read_zero_len),
    P(write_zero_len),
    P(writev_readv),
    P(write_large),
    P(append_write),
    P(append_write_after_seek),
    P(append_pwrite),
    P(append_pwrite_position),
    P(append_position_after_write),
    P(append_read_from_start),
    P(setfl_append),
    P(setfl_clear_append),
    P(getfl_append),
    P(getfl_rdonly),
    P(getfl_wronly),
    P(getfl_rdwr),
    P(getfl_dir),
    P(pread_at_eof),
    P(pread_negative),
    P(pread_keeps_position),
    P(pwrite_beyond_end),
    P(pwrite_negative),
    P(lseek_end),
    P(lseek_end_negative),
    P(lseek_before_start),
    P(lseek_cur_before_start),
    P(lseek_bad_whence),
    P(lseek_beyond_then_write),
    P(lseek_dir),
    P(lseek_closed),
    P(ftruncate_grow),
    P(ftruncate_shrink),
    P(ftruncate_rdonly),
    P(ftruncate_negative),
    P(ftruncate_dir),
    P(ftruncate_keeps_position),
    P(truncate_path),
    P(truncate_dir),
    P(truncate_missing),
    P(close_twice),
    P(write_after_close),
    P(fd_reuse_lowest),
    P(fsync_file),
    P(fsync_rdonly),
    P(fdatasync_file),
    P(fsync_dir),
    P(fallocate_grow),
    P(fallocate_zero_len),
    P(fallocate_inside),
    P(fadvise_normal),
    P(fadvise_bad_advice),
    P(fstat_after_write),
    P(fstat_closed),
    P(unlinked_open_file),
    P(unlinked_open_file_write),
    P(two_fds_share_file),
    P(two_fds_own_positions),
};
PROBE_MAIN(probes)
