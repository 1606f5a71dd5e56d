/* Probes of the path calls: mkdir(2), rmdir(2), unlink(2), rename(2),
 * link(2), symlink(2), readlink(2), path_resolution(7) (".", "..", trailing
 * slashes, symlink loops: ELOOP after 40 links); in WASI
 * path_create_directory, path_remove_directory, path_unlink_file,
 * path_rename, path_link, path_symlink, path_readlink, path_open. The parent
 * of ROOT holds `outside` ("secret"): a path that leaves ROOT reaches it
 * natively, and must not under a WASI host. */
#include "probe.h"

PROBE(mkdir_new) {
  const char* r = R(mkdir("d", 0755));
  return F("%s %s", r, kind("d"));
}
PROBE(mkdir_exists_dir) {
  mkdir("d", 0755);
  return R(mkdir("d", 0755));
}
PROBE(mkdir_exists_file) {
  put("f", "x");
  return R(mkdir("f", 0755));
}
PROBE(mkdir_exists_symlink) {
  symlink("nowhere", "l");
  return R(mkdir("l", 0755));
}
PROBE(mkdir_missing_parent) { return R(mkdir("a/b", 0755)); }
PROBE(mkdir_parent_is_file) {
  put("f", "x");
  return R(mkdir("f/d", 0755));
}
PROBE(mkdir_trailing_slash) {
  const char* r = R(mkdir("d/", 0755));
  return F("%s %s", r, kind("d"));
}
PROBE(mkdir_trailing_slashes) {
  const char* r = R(mkdir("d//", 0755));
  return F("%s %s", r, kind("d"));
}
PROBE(mkdir_dot) { return R(mkdir(".", 0755)); }
PROBE(mkdir_dotdot) { return R(mkdir("..", 0755)); }
PROBE(mkdir_sub_dotdot) {
  mkdir("d", 0755);
  return R(mkdir("d/..", 0755));
}
PROBE(mkdir_empty) { return R(mkdir("", 0755)); }
PROBE(mkdir_nametoolong) {
  char n[300];
  memset(n, 'a', 256);
  n[256] = 0;
  return R(mkdir(n, 0755));
}
PROBE(mkdir_nlink) {
  mkdir("d", 0755);
  long long a = nlink_of("d");
  mkdir("d/s", 0755);
  long long b = nlink_of("d");
  rmdir("d/s");
  return F("%lld %lld %lld", a, b, nlink_of("d"));
}
PROBE(rmdir_empty) {
  mkdir("d", 0755);
  const char* r = R(rmdir("d"));
  return F("%s %s", r, kind("d"));
}
PROBE(rmdir_nonempty) {
  mkdir("d", 0755);
  put("d/f", "x");
  return R(rmdir("d"));
}
PROBE(rmdir_file) {
  put("f", "x");
  return R(rmdir("f"));
}
PROBE(rmdir_missing) { return R(rmdir("nx")); }
PROBE(rmdir_dot) { return R(rmdir(".")); }
PROBE(rmdir_sub_dot) {
  mkdir("d", 0755);
  return R(rmdir("d/."));
}
PROBE(rmdir_sub_dotdot) {
  mkdir("d", 0755);
  return R(rmdir("d/.."));
}
PROBE(rmdir_symlink_to_dir) {
  mkdir("d", 0755);
  symlink("d", "l");
  return R(rmdir("l"));
}
PROBE(rmdir_trailing_slash) {
  mkdir("d", 0755);
  return R(rmdir("d/"));
}
PROBE(unlink_file) {
  put("f", "x");
  const char* r = R(unlink("f"));
  return F("%s %s", r, kind("f"));
}
PROBE(unlink_dir) {
  mkdir("d", 0755);
  return R(unlink("d"));
}
PROBE(unlink_missing) { return R(unlink("nx")); }
PROBE(unlink_symlink) {
  put("f", "x");
  symlink("f", "l");
  const char* r = R(unlink("l"));
  return F("%s l:%s f:%s", r, kind("l"), kind("f"));
}
PROBE(unlink_dangling_symlink) {
  symlink("nowhere", "l");
  const char* r = R(unlink("l"));
  return F("%s %s", r, kind("l"));
}
PROBE(unlink_file_trailing_slash) {
  put("f", "x");
  return R(unlink("f/"));
}
PROBE(unlink_symlink_to_dir_trailing_slash) {
  mkdir("d", 0755);
  symlink("d", "l");
  return R(unlink("l/"));
}
PROBE(unlink_dot) { return R(unlink(".")); }
PROBE(rename_file) {
  put("a", "A");
  const char* r = R(rename("a", "b"));
  return F("%s a:%s b:%s", r, kind("a"), get("b"));
}
PROBE(rename_over_file) {
  put("a", "A");
  put("b", "B");
  const char* r = R(rename("a", "b"));
  return F("%s a:%s b:%s", r, kind("a"), get("b"));
}
PROBE(rename_file_over_dir) {
  put("a", "A");
  mkdir("d", 0755);
  return R(rename("a", "d"));
}
PROBE(rename_dir_over_file) {
  mkdir("d", 0755);
  put("f", "x");
  return R(rename("d", "f"));
}
PROBE(rename_dir_over_empty_dir) {
  mkdir("a", 0755);
  put("a/x", "x");
  mkdir("b", 0755);
  const char* r = R(rename("a", "b"));
  return F("%s %s %s", r, kind("a"), get("b/x"));
}
PROBE(rename_dir_over_nonempty_dir) {
  mkdir("a", 0755);
  mkdir("b", 0755);
  put("b/y", "y");
  const char* r = R(rename("a", "b"));
  return F("%s a:%s b/y:%s", r, kind("a"), get("b/y"));
}
PROBE(rename_dir_into_itself) {
  mkdir("a", 0755);
  return R(rename("a", "a/b"));
}
PROBE(rename_dir_into_descendant) {
  mkdir("a", 0755);
  mkdir("a/b", 0755);
  return R(rename("a", "a/b/c"));
}
PROBE(rename_missing) { return R(rename("nx", "b")); }
PROBE(rename_to_missing_dir) {
  put("a", "A");
  return R(rename("a", "nodir/b"));
}
PROBE(rename_same_name) {
  put("a", "A");
  const char* r = R(rename("a", "a"));
  return F("%s %s", r, get("a"));
}
PROBE(rename_hardlinks_same_inode) {
  put("a", "A");
  link("a", "b");
  const char* r = R(rename("a", "b"));
  return F("%s a:%s b:%s", r, kind("a"), kind("b"));
}
PROBE(rename_file_trailing_slash) {
  put("a", "A");
  return R(rename("a/", "b"));
}
PROBE(rename_file_to_trailing_slash) {
  put("a", "A");
  return R(rename("a", "b/"));
}
PROBE(rename_dir_trailing_slash) {
  mkdir("a", 0755);
  const char* r = R(rename("a/", "b/"));
  return F("%s %s", r, kind("b"));
}
PROBE(rename_dot) {
  mkdir("d", 0755);
  return R(rename("d/.", "x"));
}
PROBE(rename_to_dotdot) {
  mkdir("d", 0755);
  put("f", "x");
  return R(rename("f", "d/.."));
}
PROBE(rename_symlink_itself) {
  put("f", "x");
  symlink("f", "l");
  const char* r = R(rename("l", "m"));
  return F("%s m:%s f:%s", r, kind("m"), kind("f"));
}
PROBE(rename_over_symlink) {
  put("f", "x");
  put("g", "G");
  symlink("f", "l");
  const char* r = R(rename("g", "l"));
  return F("%s l:%s f:%s", r, kind("l"), get("f"));
}
PROBE(rename_keeps_inode) {
  put("a", "A");
  struct stat x, y;
  stat("a", &x);
  rename("a", "b");
  stat("b", &y);
  return x.st_ino == y.st_ino ? "same" : "changed";
}
PROBE(rename_across_dirs) {
  mkdir("d", 0755);
  mkdir("e", 0755);
  put("d/f", "F");
  const char* r = R(rename("d/f", "e/g"));
  return F("%s %s %s", r, ls("d"), ls("e"));
}
PROBE(link_file) {
  put("a", "A");
  const char* r = R(link("a", "b"));
  return F("%s %s nlink:%lld", r, get("b"), nlink_of("a"));
}
PROBE(link_then_unlink) {
  put("a", "A");
  link("a", "b");
  unlink("a");
  return F("nlink:%lld %s", nlink_of("b"), get("b"));
}
PROBE(link_three_names) {
  put("a", "A");
  link("a", "b");
  link("b", "c");
  long long n3 = nlink_of("a");
  unlink("b");
  return F("%lld %lld", n3, nlink_of("c"));
}
PROBE(link_same_inode) {
  put("a", "A");
  link("a", "b");
  struct stat x, y;
  stat("a", &x);
  stat("b", &y);
  return x.st_ino == y.st_ino ? "same" : "differ";
}
PROBE(link_dir) {
  mkdir("d", 0755);
  return R(link("d", "e"));
}
PROBE(link_exists) {
  put("a", "A");
  put("b", "B");
  return R(link("a", "b"));
}
PROBE(link_missing) { return R(link("nx", "b")); }
PROBE(link_symlink_nofollow) {
  put("f", "x");
  symlink("f", "l");
  const char* r = R(link("l", "h"));
  return F("%s %s", r, kind("h"));
}
PROBE(linkat_symlink_follow) {
  put("f", "x");
  symlink("f", "l");
  const char* r = R(linkat(AT_FDCWD, "l", AT_FDCWD, "h", AT_SYMLINK_FOLLOW));
  return F("%s %s nlink:%lld", r, kind("h"), nlink_of("f"));
}
PROBE(linkat_dirfd_symlink_follow) {
  put("f", "x");
  symlink("f", "l");
  int d = open(".", O_RDONLY | O_DIRECTORY);
  const char* r = R(linkat(d, "l", d, "h", AT_SYMLINK_FOLLOW));
  return F("%s %s nlink:%lld", r, kind("h"), nlink_of("f"));
}
PROBE(link_trailing_slash_new) {
  put("a", "A");
  return R(link("a", "b/"));
}
PROBE(link_write_through) {
  put("a", "A");
  link("a", "b");
  put("b", "changed");
  return get("a");
}
PROBE(symlink_create) {
  const char* r = R(symlink("target", "l"));
  return F("%s %s", r, kind("l"));
}
PROBE(symlink_exists) {
  put("f", "x");
  return R(symlink("target", "f"));
}
PROBE(symlink_empty_target) { return R(symlink("", "l")); }
PROBE(symlink_absolute_target) { return R(symlink("/outside", "l")); }
PROBE(symlink_trailing_slash_name) { return R(symlink("target", "l/")); }
PROBE(symlink_trailing_slash_existing) {
  put("f", "x");
  return R(symlink("target", "f/"));
}
PROBE(link_trailing_slash_existing) {
  put("a", "A");
  put("b", "B");
  return R(link("a", "b/"));
}
PROBE(symlink_size) {
  symlink("abcdefg", "l");
  struct stat st;
  lstat("l", &st);
  return F("%lld", (long long)st.st_size);
}
PROBE(readlink_target) {
  symlink("some/where", "l");
  char b[64] = {0};
  long n = readlink("l", b, sizeof b);
  return F("%ld '%s'", n, b);
}
PROBE(readlink_short_buffer) {
  symlink("abcdefgh", "l");
  char b[8] = {0};
  long n = readlink("l", b, 3);
  return F("%ld '%s'", n, b);
}
PROBE(readlink_file) {
  put("f", "x");
  char b[8];
  return R(readlink("f", b, 8));
}
PROBE(readlink_missing) {
  char b[8];
  return R(readlink("nx", b, 8));
}
PROBE(readlink_dir) {
  mkdir("d", 0755);
  char b[8];
  return R(readlink("d", b, 8));
}
PROBE(readlink_trailing_slash) {
  mkdir("d", 0755);
  symlink("d", "l");
  char b[8];
  return R(readlink("l/", b, 8));
}
PROBE(symlink_follow_file) {
  put("f", "data");
  symlink("f", "l");
  return get("l");
}
PROBE(symlink_follow_dir) {
  mkdir("d", 0755);
  put("d/f", "in-d");
  symlink("d", "l");
  return get("l/f");
}
PROBE(symlink_chain) {
  put("f", "end");
  symlink("f", "l1");
  symlink("l1", "l2");
  symlink("l2", "l3");
  return get("l3");
}
PROBE(symlink_loop_self) {
  symlink("l", "l");
  return R(open("l", O_RDONLY));
}
PROBE(symlink_loop_pair) {
  symlink("b", "a");
  symlink("a", "b");
  return R(open("a", O_RDONLY));
}
PROBE(symlink_loop_in_middle) {
  symlink("l", "l");
  return R(open("l/f", O_RDONLY));
}
PROBE(symlink_loop_create) {
  symlink("l", "l");
  return R(open("l", O_CREAT | O_WRONLY, 0644));
}
PROBE(symlink_loop_lstat) {
  symlink("l", "l");
  return kind("l");
}
PROBE(symlink_loop_stat) {
  symlink("l", "l");
  return kindf("l");
}
PROBE(symlink_loop_unlink) {
  symlink("l", "l");
  return R(unlink("l"));
}
static const char* chain(int links) {
  put("f", "end");
  char prev[16] = "f", name[16];
  for (int i = 1; i <= links; ++i) {
    snprintf(name, sizeof name, "c%d", i);
    symlink(prev, name);
    strcpy(prev, name);
  }
  return get(prev);
}
PROBE(symlink_chain_40) { return chain(40); }
PROBE(symlink_chain_41) { return chain(41); }
PROBE(symlink_nofollow_open) {
  put("f", "x");
  symlink("f", "l");
  return R(open("l", O_RDONLY | O_NOFOLLOW));
}
PROBE(symlink_nofollow_middle) {
  mkdir("d", 0755);
  put("d/f", "x");
  symlink("d", "l");
  return R(open("l/f", O_RDONLY | O_NOFOLLOW));
}
PROBE(symlink_to_file_trailing_slash) {
  put("f", "x");
  symlink("f", "l");
  return R(open("l/", O_RDONLY));
}
PROBE(symlink_to_dir_trailing_slash_stat) {
  mkdir("d", 0755);
  symlink("d", "l");
  return F("%s %s", kind("l"), kind("l/"));
}
PROBE(symlink_relative_in_subdir) {
  mkdir("d", 0755);
  put("f", "top");
  symlink("../f", "d/l");
  return get("d/l");
}
PROBE(dotdot_inside) {
  mkdir("d", 0755);
  put("f", "F");
  return get("d/../f");
}
PROBE(dotdot_to_probe_dir) {
  put("f", "F");
  return get("../dotdot_to_probe_dir/f");
}
PROBE(dotdot_missing_component) {
  put("f", "F");
  return get("nx/../f");
}
PROBE(dotdot_through_file) {
  put("f", "F");
  return get("f/../f");
}
PROBE(dot_components) {
  mkdir("d", 0755);
  put("d/f", "F");
  return get("./d/./f");
}
PROBE(double_slashes) {
  mkdir("d", 0755);
  put("d/f", "F");
  return get("d//f");
}
PROBE(dotdot_leave) { return get("../../outside"); }
PROBE(dotdot_leave_and_back) {
  put("f", "F");
  return get("../../box/dotdot_leave_and_back/f");
}
PROBE(dotdot_leave_create) {
  const char* r = R(open("../../p9probe-created", O_CREAT | O_WRONLY, 0644));
  unlink("../../p9probe-created");
  return r;
}
PROBE(dotdot_leave_mkdir) {
  const char* r = R(mkdir("../../p9probe-dir", 0755));
  rmdir("../../p9probe-dir");
  return r;
}
PROBE(dotdot_leave_stat) { return kind("../../outside"); }
PROBE(symlink_leaving_read) {
  symlink("../../outside", "l");
  return get("l");
}
PROBE(symlink_leaving_lstat) {
  symlink("../../outside", "l");
  return kind("l");
}
PROBE(symlink_inside_via_parent) {
  put("f", "F");
  symlink("../symlink_inside_via_parent/f", "l");
  return get("l");
}
PROBE(absolute_path_open) { return get("/p9probe-no-such-file"); }
PROBE(stat_file) {
  put("f", "abc");
  struct stat st;
  const char* r = R(stat("f", &st));
  return F("%s %s size:%lld nlink:%lld", r, kind_of(st.st_mode), (long long)st.st_size,
           (long long)st.st_nlink);
}
PROBE(stat_dir) {
  mkdir("d", 0755);
  struct stat st;
  const char* r = R(stat("d", &st));
  return F("%s %s nlink:%lld", r, kind_of(st.st_mode), (long long)st.st_nlink);
}
PROBE(stat_missing) { return kind("nx"); }
PROBE(stat_file_trailing_slash) {
  put("f", "x");
  return kind("f/");
}
PROBE(stat_through_file) {
  put("f", "x");
  return kind("f/x");
}
PROBE(stat_symlink_follow) {
  put("f", "abc");
  symlink("f", "l");
  return F("%s %lld", kindf("l"), size_of("l"));
}
PROBE(stat_dangling_follow) {
  symlink("nowhere", "l");
  return kindf("l");
}
PROBE(ino_differs) {
  put("a", "A");
  put("b", "B");
  struct stat x, y;
  stat("a", &x);
  stat("b", &y);
  return x.st_ino != y.st_ino ? "differ" : "same";
}
PROBE(ino_fstat_matches_stat) {
  put("a", "A");
  struct stat x, y;
  stat("a", &x);
  int fd = open("a", O_RDONLY);
  fstat(fd, &y);
  return x.st_ino == y.st_ino ? "same" : "differ";
}

static const struct probe probes[] = {
    P(mkdir_new),
    P(mkdir_exists_dir),
    P(mkdir_exists_file),
    P(mkdir_exists_symlink),
    P(mkdir_missing_parent),
    P(mkdir_parent_is_file),
    P(mkdir_trailing_slash),
    P(mkdir_trailing_slashes),
    P(mkdir_dot),
    P(mkdir_dotdot),
    P(mkdir_sub_dotdot),
    P(mkdir_empty),
    P(mkdir_nametoolong),
    P(mkdir_nlink),
    P(rmdir_empty),
    P(rmdir_nonempty),
    P(rmdir_file),
    P(rmdir_missing),
    P(rmdir_dot),
    P(rmdir_sub_dot),
    P(rmdir_sub_dotdot),
    P(rmdir_symlink_to_dir),
    P(rmdir_trailing_slash),
    P(unlink_file),
    P(unlink_dir),
    P(unlink_missing),
    P(unlink_symlink),
    P(unlink_dangling_symlink),
    P(unlink_file_trailing_slash),
    P(unlink_symlink_to_dir_trailing_slash),
    P(unlink_dot),
    P(rename_file),
    P(rename_over_file),
    P(rename_file_over_dir),
    P(rename_dir_over_file),
    P(rename_dir_over_empty_dir),
    P(rename_dir_over_nonempty_dir),
    P(rename_dir_into_itself),
    P(rename_dir_into_descendant),
    P(rename_missing),
    P(rename_to_missing_dir),
    P(rename_same_name),
    P(rename_hardlinks_same_inode),
    P(rename_file_trailing_slash),
    P(rename_file_to_trailing_slash),
    P(rename_dir_trailing_slash),
    P(rename_dot),
    P(rename_to_dotdot),
    P(rename_symlink_itself),
    P(rename_over_symlink),
    P(rename_keeps_inode),
    P(rename_across_dirs),
    P(link_file),
    P(link_then_unlink),
    P(link_three_names),
    P(link_same_inode),
    P(link_dir),
    P(link_exists),
    P(link_missing),
    P(link_symlink_nofollow),
    P(linkat_symlink_follow),
    P(linkat_dirfd_symlink_follow),
    P(link_trailing_slash_new),
    P(link_write_through),
    P(symlink_create),
    P(symlink_exists),
    P(symlink_empty_target),
    P(symlink_absolute_target),
    P(symlink_trailing_slash_name),
    P(symlink_trailing_slash_existing),
    P(link_trailing_slash_existing),
    P(symlink_size),
    P(readlink_target),
    P(readlink_short_buffer),
    P(readlink_file),
    P(readlink_missing),
    P(readlink_dir),
    P(readlink_trailing_slash),
    P(symlink_follow_file),
    P(symlink_follow_dir),
    P(symlink_chain),
    P(symlink_loop_self),
    P(symlink_loop_pair),
    P(symlink_loop_in_middle),
    P(symlink_loop_create),
    P(symlink_loop_lstat),
    P(symlink_loop_stat),
    P(symlink_loop_unlink),
    P(symlink_chain_40),
    P(symlink_chain_41),
    P(symlink_nofollow_open),
    P(symlink_nofollow_middle),
    P(symlink_to_file_trailing_slash),
    P(symlink_to_dir_trailing_slash_stat),
    P(symlink_relative_in_subdir),
    P(dotdot_inside),
    P(dotdot_to_probe_dir),
    P(dotdot_missing_component),
    P(dotdot_through_file),
    P(dot_components),
    P(double_slashes),
    P(dotdot_leave),
    P(dotdot_leave_and_back),
    P(dotdot_leave_create),
    P(dotdot_leave_mkdir),
    P(dotdot_leave_stat),
    P(symlink_leaving_read),
    P(symlink_leaving_lstat),
    P(symlink_inside_via_parent),
    P(absolute_path_open),
    P(stat_file),
    P(stat_dir),
    P(stat_missing),
    P(stat_file_trailing_slash),
    P(stat_through_file),
    P(stat_symlink_follow),
    P(stat_dangling_follow),
    P(ino_differs),
    P(ino_fstat_matches_stat),
};
PROBE_MAIN(probes)
