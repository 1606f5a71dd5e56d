/* The runner's own contract (p9wasi run, as wasmtime run): argv reaches the
 * program, stdout and stderr pass through, the exit status comes back.
 * usage: echo STATUS WORDS...  prints "argc=N WORDS..." on stdout, "to
 * stderr" on stderr, exits with STATUS. A word @PATH is replaced by the
 * first line of the file PATH, or by "(PATH: the strerror text)". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("argc=%d", argc);
  for (int i = 2; i < argc; ++i) {
    if (argv[i][0] != '@') {
      printf(" %s", argv[i]);
      continue;
    }
    FILE* f = fopen(argv[i] + 1, "r");
    char line[256] = "";
    if (f == NULL) {
      printf(" (%s: %s)", argv[i] + 1, strerror(errno));
      continue;
    }
    if (fgets(line, sizeof line, f) != NULL) line[strcspn(line, "\n")] = '\0';
    fclose(f);
    printf(" %s", line);
  }
  printf("\n");
  fprintf(stderr, "to stderr\n");
  return argc > 1 ? atoi(argv[1]) : 0;
}
