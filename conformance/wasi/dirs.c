/* Probes of listings, times and access checks: readdir(3) over getdents(2)
 * (".", "..", d_type, d_ino, telldir/seekdir cookies while entries change),
 * utimensat(2)/futimens(3) (nanoseconds, UTIME_NOW, UTIME_OMIT), the times a
 * change updates (inode(7)), access(2); in WASI fd_readdir (cookies, the
 * $dirent layout), path_filestat_set_times, fd_filestat_set_times,
 * path_filestat_get. */
#include "probe.h"

static int count_name(const char* dir, const char* name) {
  DIR* d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, name) == 0;
  closedir(d);
  return n;
}
static const char* dtype(unsigned char t) {
  switch (t) {
    case DT_REG:
      return "reg";
    case DT_DIR:
      return "dir";
    case DT_LNK:
      return "lnk";
    case DT_UNKNOWN:
      return "unknown";
  }
  return "other";
}
static const char* type_in_listing(const char* name) {
  DIR* d = opendir(".");
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, name) == 0) {
      const char* t = dtype(e->d_type);
      closedir(d);
      return t;
    }
  }
  closedir(d);
  return "absent";
}

PROBE(ls_empty) { return ls("."); }
PROBE(ls_files) {
  put("b", "");
  put("a", "");
  mkdir("c", 0755);
  symlink("a", "d");
  return ls(".");
}
PROBE(ls_dot_once) {
  put("a", "");
  return F("%d %d", count_name(".", "."), count_name(".", ".."));
}
PROBE(ls_subdir_via_path) {
  mkdir("d", 0755);
  put("d/x", "");
  return ls("d");
}
PROBE(ls_file) {
  put("f", "");
  return ls("f");
}
PROBE(ls_missing) { return ls("nx"); }
PROBE(ls_after_unlink) {
  put("a", "");
  put("b", "");
  unlink("a");
  return ls(".");
}
PROBE(ls_after_rename) {
  put("a", "");
  rename("a", "z");
  return ls(".");
}
PROBE(dtype_dot) { return type_in_listing("."); }
PROBE(dtype_dotdot) { return type_in_listing(".."); }
PROBE(dtype_file) {
  put("f", "");
  return type_in_listing("f");
}
PROBE(dtype_dir) {
  mkdir("d", 0755);
  return type_in_listing("d");
}
PROBE(dtype_symlink) {
  symlink("nowhere", "l");
  return type_in_listing("l");
}
PROBE(dino_matches_stat) {
  put("f", "");
  struct stat st;
  stat("f", &st);
  DIR* d = opendir(".");
  struct dirent* e;
  const char* r = "absent";
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, "f") == 0) r = e->d_ino == st.st_ino ? "same" : "differ";
  }
  closedir(d);
  return r;
}
PROBE(dino_dot_matches_stat) {
  struct stat st;
  stat(".", &st);
  DIR* d = opendir(".");
  struct dirent* e;
  const char* r = "absent";
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0) r = e->d_ino == st.st_ino ? "same" : "differ";
  }
  closedir(d);
  return r;
}
PROBE(ls_many) {
  char n[32];
  for (int i = 0; i < 300; ++i) {
    snprintf(n, sizeof n, "file-%03d", i);
    put(n, "");
  }
  DIR* d = opendir(".");
  int count = 0, dup = 0;
  static char seen[300];
  memset(seen, 0, sizeof seen);
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    ++count;
    int i;
    if (sscanf(e->d_name, "file-%d", &i) == 1 && i >= 0 && i < 300) dup += seen[i]++ > 0;
  }
  closedir(d);
  return F("%d dup:%d", count, dup);
}
PROBE(ls_long_names) {
  char n[256];
  for (int i = 0; i < 40; ++i) {
    memset(n, 'a' + i % 26, 250);
    snprintf(n + 250, 6, "%05d", i);
    put(n, "");
  }
  DIR* d = opendir(".");
  int count = 0, len_ok = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    ++count;
    len_ok += strlen(e->d_name) == 255;
  }
  closedir(d);
  return F("%d long:%d", count, len_ok);
}
/* Reads a listing, creating (or removing) entries after the first few: each
 * entry present all along must be seen exactly once (getdents(2) over a
 * changing directory; WASI fd_readdir cookies). */
static const char* changing(int creating) {
  char n[32];
  for (int i = 0; i < 50; ++i) {
    snprintf(n, sizeof n, "o%02d", i);
    put(n, "");
  }
  static int seen[50];
  memset(seen, 0, sizeof seen);
  DIR* d = opendir(".");
  struct dirent* e;
  int read = 0, removed = -1;
  while ((e = readdir(d)) != NULL) {
    int i;
    if (sscanf(e->d_name, "o%d", &i) == 1 && i >= 0 && i < 50) ++seen[i];
    if (++read == 5) {
      if (creating) {
        for (int k = 0; k < 50; ++k) {
          snprintf(n, sizeof n, "new%02d", k);
          put(n, "");
        }
      } else {
        /* Remove one entry not yet seen. */
        for (int k = 0; k < 50 && removed < 0; ++k) {
          if (!seen[k]) {
            snprintf(n, sizeof n, "o%02d", k);
            unlink(n);
            removed = k;
          }
        }
      }
    }
  }
  closedir(d);
  int once = 0, more = 0, missing = 0;
  for (int i = 0; i < 50; ++i) {
    if (i == removed) continue;
    once += seen[i] == 1;
    more += seen[i] > 1;
    missing += seen[i] == 0;
  }
  return F("once:%d twice:%d missing:%d", once, more, missing);
}
PROBE(readdir_while_creating) { return changing(1); }
PROBE(readdir_while_removing) { return changing(0); }
PROBE(telldir_seekdir_same_rest) {
  char n[32];
  for (int i = 0; i < 20; ++i) {
    snprintf(n, sizeof n, "e%02d", i);
    put(n, "");
  }
  DIR* d = opendir(".");
  for (int i = 0; i < 7; ++i) readdir(d);
  long at = telldir(d);
  char first[2][4096];
  for (int pass = 0; pass < 2; ++pass) {
    first[pass][0] = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
      strncat(first[pass], e->d_name, 4000 - strlen(first[pass]));
      strcat(first[pass], ",");
    }
    seekdir(d, at);
  }
  closedir(d);
  return strcmp(first[0], first[1]) == 0 ? "same" : "differ";
}
PROBE(seekdir_after_unlink_earlier) {
  char n[32];
  for (int i = 0; i < 20; ++i) {
    snprintf(n, sizeof n, "e%02d", i);
    put(n, "");
  }
  DIR* d = opendir(".");
  char early[8][256];
  int k = 0;
  struct dirent* e;
  for (int i = 0; i < 8 && (e = readdir(d)) != NULL; ++i) snprintf(early[k++], 256, "%s", e->d_name);
  long at = telldir(d);
  char rest[2][4096];
  rest[0][0] = rest[1][0] = 0;
  while ((e = readdir(d)) != NULL) {
    strncat(rest[0], e->d_name, 4000 - strlen(rest[0]));
    strcat(rest[0], ",");
  }
  /* Remove an entry already read, then continue from the saved position. */
  for (int i = 0; i < k; ++i) {
    if (early[i][0] == 'e') {
      unlink(early[i]);
      break;
    }
  }
  seekdir(d, at);
  while ((e = readdir(d)) != NULL) {
    strncat(rest[1], e->d_name, 4000 - strlen(rest[1]));
    strcat(rest[1], ",");
  }
  closedir(d);
  return strcmp(rest[0], rest[1]) == 0 ? "same" : "differ";
}
PROBE(rewinddir_sees_new) {
  put("a", "");
  DIR* d = opendir(".");
  while (readdir(d) != NULL) {
  }
  put("b", "");
  rewinddir(d);
  int found = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) found += strcmp(e->d_name, "b") == 0;
  closedir(d);
  return F("%d", found);
}
PROBE(readdir_end_stays_end) {
  DIR* d = opendir(".");
  while (readdir(d) != NULL) {
  }
  errno = 0;
  struct dirent* e = readdir(d);
  const char* r = e ? "entry" : F("end %s", en(errno));
  closedir(d);
  return r;
}
PROBE(readdir_removed_dir) {
  mkdir("d", 0755);
  DIR* d = opendir("d");
  rmdir("d");
  errno = 0;
  struct dirent* e = readdir(d);
  const char* r = e ? F("entry %s", e->d_name) : F("end %s", en(errno));
  closedir(d);
  return r;
}

/* ---- times ---- */
static const char* times_of(const char* path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) return en(errno);
  return F("a=%lld.%09ld m=%lld.%09ld", (long long)st.st_atim.tv_sec, (long)st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}
static int set_times(const char* path, long long as, long an, long long ms, long mn, int flags) {
  struct timespec t[2] = {{(time_t)as, an}, {(time_t)ms, mn}};
  return utimensat(AT_FDCWD, path, t, flags);
}
static long long mtime_of(const char* path) {
  struct stat st;
  return lstat(path, &st) < 0 ? -1 : (long long)st.st_mtim.tv_sec;
}
static const char* recent(long long t) {
  long long now = (long long)time(NULL);
  return t > now - 60 && t < now + 60 ? "recent" : F("not-recent(%lld)", t);
}
PROBE(utimensat_ns) {
  put("f", "");
  const char* r = R(set_times("f", 1, 123456789, 2, 987654321, 0));
  return F("%s %s", r, times_of("f", 1));
}
PROBE(futimens_ns) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  struct timespec t[2] = {{1000000000, 1}, {1500000000, 999999999}};
  const char* r = R(futimens(fd, t));
  return F("%s %s", r, times_of("f", 1));
}
PROBE(utimensat_omit_atime) {
  put("f", "");
  set_times("f", 5, 5, 6, 6, 0);
  struct timespec t[2] = {{0, UTIME_OMIT}, {7, 7}};
  const char* r = R(utimensat(AT_FDCWD, "f", t, 0));
  return F("%s %s", r, times_of("f", 1));
}
PROBE(utimensat_now_mtime) {
  put("f", "");
  set_times("f", 5, 5, 6, 6, 0);
  struct timespec t[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  const char* r = R(utimensat(AT_FDCWD, "f", t, 0));
  return F("%s %s", r, recent(mtime_of("f")));
}
PROBE(utimensat_null_is_now) {
  put("f", "");
  set_times("f", 5, 5, 6, 6, 0);
  const char* r = R(utimensat(AT_FDCWD, "f", NULL, 0));
  return F("%s %s", r, recent(mtime_of("f")));
}
PROBE(utimensat_bad_nsec) {
  put("f", "");
  return R(set_times("f", 1, 1000000000, 2, 0, 0));
}
PROBE(utimensat_negative_time) {
  put("f", "");
  if (set_times("f", -1, 0, -2, 500, 0) < 0) return en(errno);
  return F("ok %s", times_of("f", 1));
}
PROBE(utimensat_large_time) {
  put("f", "");
  const char* r = R(set_times("f", 8589934592LL, 1, 8589934593LL, 2, 0));
  return F("%s %s", r, times_of("f", 1));
}
PROBE(utimensat_missing) { return R(set_times("nx", 1, 0, 1, 0, 0)); }
PROBE(utimensat_nofollow_symlink) {
  put("f", "");
  set_times("f", 3, 0, 3, 0, 0);
  symlink("f", "l");
  const char* r = R(set_times("l", 9, 9, 9, 9, AT_SYMLINK_NOFOLLOW));
  return F("%s link:%s file:%s", r, times_of("l", 0), times_of("f", 1));
}
PROBE(utimensat_follow_symlink) {
  put("f", "");
  set_times("f", 1, 0, 1, 0, 0); /* known times, should the symlink not be made */
  symlink("f", "l");
  const char* r = R(set_times("l", 9, 9, 10, 10, 0));
  return F("%s file:%s", r, times_of("f", 1));
}
PROBE(utimensat_dir) {
  mkdir("d", 0755);
  const char* r = R(set_times("d", 11, 0, 12, 0, 0));
  return F("%s %s", r, times_of("d", 1));
}
PROBE(mtime_after_write) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  set_times("f", 1, 0, 1, 0, 0);
  write(fd, "x", 1);
  return recent(mtime_of("f"));
}
PROBE(mtime_after_truncate) {
  put("f", "hello");
  set_times("f", 1, 0, 1, 0, 0);
  truncate("f", 1);
  return recent(mtime_of("f"));
}
PROBE(mtime_kept_by_read) {
  put("f", "hello");
  set_times("f", 1, 0, 1, 0, 0);
  get("f");
  return F("%lld", mtime_of("f"));
}
PROBE(dir_mtime_after_create) {
  mkdir("d", 0755);
  set_times("d", 1, 0, 1, 0, 0);
  put("d/f", "");
  return recent(mtime_of("d"));
}
PROBE(dir_mtime_after_unlink) {
  mkdir("d", 0755);
  put("d/f", "");
  set_times("d", 1, 0, 1, 0, 0);
  unlink("d/f");
  return recent(mtime_of("d"));
}
PROBE(dir_mtime_after_rename_out) {
  mkdir("d", 0755);
  put("d/f", "");
  set_times("d", 1, 0, 1, 0, 0);
  rename("d/f", "g");
  return recent(mtime_of("d"));
}
PROBE(dir_mtime_after_mkdir) {
  mkdir("d", 0755);
  set_times("d", 1, 0, 1, 0, 0);
  mkdir("d/s", 0755);
  return recent(mtime_of("d"));
}
PROBE(mtime_kept_by_rename) {
  put("f", "");
  set_times("f", 1, 0, 1, 0, 0);
  rename("f", "g");
  return F("%lld", mtime_of("g"));
}
PROBE(ctime_after_link) {
  put("f", "");
  struct stat st;
  stat("f", &st);
  long long before = (long long)st.st_ctim.tv_sec;
  set_times("f", 1, 0, 1, 0, 0);
  link("f", "g");
  stat("f", &st);
  return F("%s %s", recent((long long)st.st_ctim.tv_sec), before > 0 ? "set" : "unset");
}

/* ---- access(2) ---- */
PROBE(access_exists) {
  put("f", "");
  return R(access("f", F_OK));
}
PROBE(access_missing) { return R(access("nx", F_OK)); }
PROBE(access_read_write) {
  put("f", "");
  return R(access("f", R_OK | W_OK));
}
PROBE(access_exec_plain_file) {
  put("f", "");
  return R(access("f", X_OK));
}
PROBE(access_dir_exec) {
  mkdir("d", 0755);
  return R(access("d", X_OK));
}
PROBE(access_bad_mode) {
  put("f", "");
  return R(access("f", 0100));
}
PROBE(access_through_file) {
  put("f", "");
  return R(access("f/x", F_OK));
}
PROBE(access_dangling_symlink) {
  symlink("nowhere", "l");
  return R(access("l", F_OK));
}

static const struct probe probes[] = {
    P(ls_empty),
    P(ls_files),
    P(ls_dot_once),
    P(ls_subdir_via_path),
    P(ls_file),
    P(ls_missing),
    P(ls_after_unlink),
    P(ls_after_rename),
    P(dtype_dot),
    P(dtype_dotdot),
    P(dtype_file),
    P(dtype_dir),
    P(dtype_symlink),
    P(dino_matches_stat),
    P(dino_dot_matches_stat),
    P(ls_many),
    P(ls_long_names),
    P(readdir_while_creating),
    P(readdir_while_removing),
    P(telldir_seekdir_same_rest),
    P(seekdir_after_unlink_earlier),
    P(rewinddir_sees_new),
    P(readdir_end_stays_end),
    P(readdir_removed_dir),
    P(utimensat_ns),
    P(futimens_ns),
    P(utimensat_omit_atime),
    P(utimensat_now_mtime),
    P(utimensat_null_is_now),
    P(utimensat_bad_nsec),
    P(utimensat_negative_time),
    P(utimensat_large_time),
    P(utimensat_missing),
    P(utimensat_nofollow_symlink),
    P(utimensat_follow_symlink),
    P(utimensat_dir),
    P(mtime_after_write),
    P(mtime_after_truncate),
    P(mtime_kept_by_read),
    P(dir_mtime_after_create),
    P(dir_mtime_after_unlink),
    P(dir_mtime_after_rename_out),
    P(dir_mtime_after_mkdir),
    P(mtime_kept_by_rename),
    P(ctime_after_link),
    P(access_exists),
    P(access_missing),
    P(access_read_write),
    P(access_exec_plain_file),
    P(access_dir_exec),
    P(access_bad_mode),
    P(access_through_file),
    P(access_dangling_symlink),
};
PROBE_MAIN(probes)
