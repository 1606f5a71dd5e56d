/* The probes' frame: each probe is a function that runs in a fresh directory
 * of its own (ROOT/NAME, the current directory while it runs) and returns ONE
 * result string; main prints `NAME: RESULT`, one line a probe, in table order.
 *
 * The same source is built natively (cc, glibc: Linux is the ground truth) and
 * for wasm32-wasi (clang-14, wasi-libc): only POSIX calls that wasi-libc
 * offers are used, so each line says what the host under the program did.
 * Errors print as their C name (ENOENT), never as a number: the numbers
 * differ between Linux and WASI (witx typenames.witx $errno), the names do not.
 *
 * usage: PROBES ROOT [NAME...]   (ROOT an empty directory whose parent holds
 * a file `outside` containing "secret", which no WASI path may reach; the
 * names select probes, default all) */
#ifndef P9_WASI_PROBE_H
#define P9_WASI_PROBE_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef const char* (*probe_fn)(void);
struct probe {
  const char* name;
  probe_fn fn;
};

/* The C name of an errno value (both libcs define these names). */
static inline const char* en(int e) {
  static char other[32];
  switch (e) {
/* clang-format off */
#define N(x) case x: return #x;
    N(E2BIG) N(EACCES) N(EADDRINUSE) N(EAGAIN) N(EBADF) N(EBUSY) N(ECHILD) N(EEXIST)
    N(EFAULT) N(EFBIG) N(EINTR) N(EINVAL) N(EIO) N(EISDIR) N(ELOOP) N(EMFILE)
    N(EMLINK) N(ENAMETOOLONG) N(ENFILE) N(ENODEV) N(ENOENT) N(ENOEXEC) N(ENOMEM) N(ENOSPC)
    N(ENOSYS) N(ENOTDIR) N(ENOTEMPTY) N(ENOTSUP) N(ENOTTY) N(ENXIO) N(EOVERFLOW) N(EPERM)
    N(EPIPE) N(ERANGE) N(EROFS) N(ESPIPE) N(ESRCH) N(ETXTBSY) N(EXDEV)
#ifdef ENOTCAPABLE
    N(ENOTCAPABLE)
#endif
#undef N
    case 0: return "0";
    /* clang-format on */
  }
  snprintf(other, sizeof other, "errno%d", e);
  return other;
}

/* "ok" when r >= 0, else errno's name. */
static inline const char* R(long r) { return r < 0 ? en(errno) : "ok"; }

/* A formatted string that stays valid for the next 15 calls. */
static inline const char* F(const char* fmt, ...) {
  static char bufs[16][512];
  static int next;
  char* b = bufs[next++ % 16];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, sizeof bufs[0], fmt, ap);
  va_end(ap);
  return b;
}

/* A file with these bytes (created or truncated); 0 or -1. */
static inline int put(const char* path, const char* data) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return -1;
  size_t n = strlen(data);
  int ok = write(fd, data, n) == (ssize_t)n;
  close(fd);
  return ok ? 0 : -1;
}

/* The file's bytes (up to 200), or the errno's name of opening/reading it. */
static inline const char* get(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return en(errno);
  char b[201];
  ssize_t n = read(fd, b, 200);
  int e = errno;
  close(fd);
  if (n < 0) return en(e);
  b[n] = 0;
  return F("'%s'", b);
}

/* What is at path: reg, dir, lnk, other, or the errno's name. */
static inline const char* kind_of(mode_t m) {
  return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : "other";
}
static inline const char* kind(const char* path) {
  struct stat st;
  return lstat(path, &st) < 0 ? en(errno) : kind_of(st.st_mode);
}
static inline const char* kindf(const char* path) {
  struct stat st;
  return stat(path, &st) < 0 ? en(errno) : kind_of(st.st_mode);
}
static inline long long size_of(const char* path) {
  struct stat st;
  return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}
static inline long long nlink_of(const char* path) {
  struct stat st;
  return lstat(path, &st) < 0 ? -1 : (long long)st.st_nlink;
}

static int cmp_str(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

/* The names in a directory, sorted, joined by ','; or the errno's name. */
static inline const char* ls(const char* path) {
  DIR* d = opendir(path);
  if (!d) return en(errno);
  char* names[512];
  int n = 0;
  struct dirent* e;
  errno = 0;
  while (n < 512 && (e = readdir(d)) != NULL) names[n++] = strdup(e->d_name);
  int err = errno;
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  static char out[4096];
  out[0] = 0;
  for (int i = 0; i < n; ++i) {
    if (i) strncat(out, ",", sizeof out - strlen(out) - 1);
    strncat(out, names[i], sizeof out - strlen(out) - 1);
    free(names[i]);
  }
  if (err) return F("%s after %s", en(err), out);
  return F("%s", out);
}

static inline int probe_main(int argc, char** argv, const struct probe* probes, int count) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ROOT [NAME...]\n", argv[0]);
    return 2;
  }
  const char* root = argv[1];
  int bad = 0;
  for (int i = 0; i < count; ++i) {
    if (argc > 2) {
      int want = 0;
      for (int a = 2; a < argc; ++a) want |= strcmp(argv[a], probes[i].name) == 0;
      if (!want) continue;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, probes[i].name);
    if (mkdir(dir, 0755) < 0 || chdir(dir) < 0) {
      printf("%s: SETUP %s\n", probes[i].name, en(errno));
      ++bad;
      continue;
    }
    errno = 0;
    printf("%s: %s\n", probes[i].name, probes[i].fn());
    fflush(stdout);
  }
  return bad ? 1 : 0;
}

#define PROBE(name) static const char* name(void)
#define P(name) \
  { #name, name }
#define PROBE_MAIN(table)                                                        \
  int main(int argc, char** argv) {                                              \
    return probe_main(argc, argv, table, (int)(sizeof table / sizeof table[0])); \
  }

#endif
