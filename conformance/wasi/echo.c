/* The runner's own contract (p9wasi run, as wasmtime run): argv reaches the
 * program, stdout and stderr pass through, the exit status comes back.
 * usage: echo STATUS WORDS...  prints "argc=N WORDS..." on stdout, "to
 * stderr" on stderr, exits with STATUS. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  printf("argc=%d", argc);
  for (int i = 2; i < argc; ++i) printf(" %s", argv[i]);
  printf("\n");
  fprintf(stderr, "to stderr\n");
  return argc > 1 ? atoi(argv[1]) : 0;
}
