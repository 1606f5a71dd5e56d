/* Not a probe: what a program finds of an earlier program's files on a store
 * that persists (the OPFS store across a page reload: ctest
 * wasi.opfs_persist, opfs/host/serve.mjs --wasi ... --wasi reload ...).
 *
 *   persist write DIR   makes DIR/p (DIR must exist): 40 files f00..f39, each
 *                       holding its own line (more new files than the 16
 *                       empty data files the OPFS worker keeps ready), f07's
 *                       times set to fixed nanoseconds (utimensat(2)), a
 *                       directory sub/ holding g, a hard link f01.link, a
 *                       symlink s -> f02, f03 renamed to moved; then writes
 *                       what lstat(2) says of each name (type, size, nlink,
 *                       mtime and ctime in ns, symlink target) to DIR/stat.txt
 *   persist check DIR   the same names must hold the same bytes and lstat
 *                       must say the same as DIR/stat.txt
 *
 * Prints "write: ok N names" / "check: ok N names" or each difference, one a
 * line; exit status 0, or 1 on any difference. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[4096];
static int failures = 0;

static void path(char* out, size_t n, const char* name) { snprintf(out, n, "%s/p/%s", base, name); }

static void fail(const char* what, const char* name) {
  printf("FAIL %s %s: %s\n", what, name, strerror(errno));
  ++failures;
}

static void put(const char* name, const char* text) {
  char p[4200];
  path(p, sizeof p, name);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail("open", name);
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) fail("write", name);
  if (close(fd) != 0) fail("close", name);
}

/* The bytes a file made by `write` holds. */
static void content(char* out, size_t n, const char* name) { snprintf(out, n, "this is %.40s\n", name); }

/* One line of stat.txt for `name`: what a later run must see again. */
static int describe(char* out, size_t n, const char* name) {
  char p[4200];
  struct stat st;
  path(p, sizeof p, name);
  if (lstat(p, &st) != 0) return snprintf(out, n, "%s missing(%s)", name, strerror(errno));
  char target[256] = "";
  if (S_ISLNK(st.st_mode)) {
    ssize_t k = readlink(p, target, sizeof target - 1);
    if (k >= 0) target[k] = 0;
  }
  return snprintf(out, n, "%s %s size=%lld nlink=%lld mtime=%lld.%09ld ctime=%lld.%09ld%s%s", name,
                  S_ISDIR(st.st_mode)   ? "dir"
                  : S_ISLNK(st.st_mode) ? "symlink"
                  : S_ISREG(st.st_mode) ? "reg"
                                        : "other",
                  (long long)st.st_size, (long long)st.st_nlink, (long long)st.st_mtim.tv_sec,
                  st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, *target ? " -> " : "",
                  target);
}

#define NFILES 40
static const char* extra[] = {"sub", "sub/g", "f01.link", "s", "moved"};

static int names(char list[][32]) {
  int n = 0;
  for (int i = 0; i < NFILES; ++i)
    if (i != 3) snprintf(list[n++], 32, "f%02d", i);
  for (size_t i = 0; i < sizeof extra / sizeof *extra; ++i) snprintf(list[n++], 32, "%s", extra[i]);
  return n;
}

static int do_write(void) {
  char p[4200], q[4200], text[64];
  snprintf(p, sizeof p, "%s/p", base);
  if (mkdir(p, 0755) != 0) fail("mkdir", "p");
  for (int i = 0; i < NFILES; ++i) {
    char name[32];
    snprintf(name, sizeof name, "f%02d", i);
    content(text, sizeof text, i == 3 ? "moved" : name);
    put(name, text);
  }
  path(p, sizeof p, "f07");
  const struct timespec t[2] = {{1234567890, 123456789}, {1300000000, 987654321}};
  if (utimensat(AT_FDCWD, p, t, 0) != 0) fail("utimensat", "f07");
  path(p, sizeof p, "sub");
  if (mkdir(p, 0755) != 0) fail("mkdir", "sub");
  content(text, sizeof text, "sub/g");
  put("sub/g", text);
  path(p, sizeof p, "f01");
  path(q, sizeof q, "f01.link");
  if (link(p, q) != 0) fail("link", "f01.link");
  path(q, sizeof q, "s");
  if (symlink("f02", q) != 0) fail("symlink", "s");
  path(p, sizeof p, "f03");
  path(q, sizeof q, "moved");
  if (rename(p, q) != 0) fail("rename", "f03");

  char list[NFILES + 8][32];
  int n = names(list);
  snprintf(p, sizeof p, "%s/stat.txt", base);
  FILE* f = fopen(p, "w");
  if (!f) {
    fail("fopen", "stat.txt");
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    char line[600];
    describe(line, sizeof line, list[i]);
    fprintf(f, "%s\n", line);
  }
  if (fclose(f) != 0) fail("fclose", "stat.txt");
  if (!failures) printf("write: ok %d names\n", n);
  return failures ? 1 : 0;
}

static int do_check(void) {
  char p[4200];
  snprintf(p, sizeof p, "%s/stat.txt", base);
  FILE* f = fopen(p, "r");
  if (!f) {
    fail("fopen", "stat.txt");
    return 1;
  }
  char list[NFILES + 8][32];
  int n = names(list);
  for (int i = 0; i < n; ++i) {
    char want[600], have[600];
    if (!fgets(want, sizeof want, f)) {
      printf("FAIL stat.txt ends before %s\n", list[i]);
      ++failures;
      break;
    }
    want[strcspn(want, "\n")] = 0;
    describe(have, sizeof have, list[i]);
    if (strcmp(want, have) != 0) {
      printf("FAIL stat: was '%s', now '%s'\n", want, have);
      ++failures;
    }
  }
  fclose(f);
  for (int i = 0; i < n; ++i) {
    const char* name = list[i];
    if (!strcmp(name, "sub") || !strcmp(name, "s")) continue;
    char want[64], have[64] = "";
    content(want, sizeof want, !strcmp(name, "f01.link") ? "f01" : name);
    path(p, sizeof p, name);
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
      fail("open", name);
      continue;
    }
    ssize_t k = read(fd, have, sizeof have - 1);
    close(fd);
    have[k > 0 ? k : 0] = 0;
    if (strcmp(want, have) != 0) {
      printf("FAIL contents of %s: '%s'\n", name, have);
      ++failures;
    }
  }
  if (!failures) printf("check: ok %d names\n", n);
  return failures ? 1 : 0;
}

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "write") && strcmp(argv[1], "check"))) {
    fprintf(stderr, "usage: persist write|check DIR\n");
    return 2;
  }
  snprintf(base, sizeof base, "%s", argv[2]);
  return !strcmp(argv[1], "write") ? do_write() : do_check();
}
