/*
 * Replays a dmm trace on the C library's malloc (glibc on Linux) and prints ns per op as one JSON line.
 *
 *   usage: replay <trace.bin> [repetitions] [wall|cpu]
 *
 * trace.bin (little-endian), written by @dmm/bench's native.ts:
 *   "DMMT" | u32 version = 1 | u32 ops | u32 idCount | u8 kind[ops] | pad to 4 | u32 id[ops] | u32 size[ops] | u32 count[ops]
 *   kind: 0 malloc, 1 calloc (count x size), 2 realloc, 3 free
 *
 * Each repetition replays the whole trace with clock_gettime around it: CLOCK_MONOTONIC ("wall", the default)
 * or CLOCK_PROCESS_CPUTIME_ID ("cpu": only this process's CPU time, for shared machines). The pointer table is
 * reset and leftovers freed outside the timed region. The process's malloc state carries over between
 * repetitions, as it would in a long-running program; report min and median.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static clockid_t clock_id = CLOCK_MONOTONIC;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(clock_id, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <trace.bin> [repetitions]\n", argv[0]);
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (reps < 1) reps = 1;
  if (argc > 3 && strcmp(argv[3], "cpu") == 0) clock_id = CLOCK_PROCESS_CPUTIME_ID;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  uint32_t header[4];
  if (fread(header, 4, 4, f) != 4 || memcmp(header, "DMMT", 4) != 0 || header[1] != 1) {
    fprintf(stderr, "%s: not a dmm binary trace (version 1)\n", argv[1]);
    return 2;
  }
  uint32_t ops = header[2], ids = header[3];
  size_t kindBytes = ((size_t)ops + 3) & ~(size_t)3;
  uint8_t *kind = malloc(kindBytes ? kindBytes : 1);
  uint32_t *id = malloc(((size_t)ops ? ops : 1) * 4);
  uint32_t *size = malloc(((size_t)ops ? ops : 1) * 4);
  uint32_t *count = malloc(((size_t)ops ? ops : 1) * 4);
  void **ptr = calloc(ids ? ids : 1, sizeof(void *));
  double *times = malloc(sizeof(double) * (size_t)reps);
  if (!kind || !id || !size || !count || !ptr || !times) {
    fprintf(stderr, "out of memory reading the trace\n");
    return 2;
  }
  if (fread(kind, 1, kindBytes, f) != kindBytes || fread(id, 4, ops, f) != ops || fread(size, 4, ops, f) != ops ||
      fread(count, 4, ops, f) != ops) {
    fprintf(stderr, "%s: truncated trace\n", argv[1]);
    return 2;
  }
  fclose(f);
  for (uint32_t i = 0; i < ops; i++) {
    if (id[i] >= ids || kind[i] > 3) {
      fprintf(stderr, "%s: bad op %u\n", argv[1], i);
      return 2;
    }
  }

  unsigned long failures = 0;
  uintptr_t sink = 0;
  for (int r = 0; r < reps; r++) {
    memset(ptr, 0, sizeof(void *) * (size_t)ids);
    failures = 0;
    double t0 = now_ns();
    for (uint32_t i = 0; i < ops; i++) {
      uint32_t k = id[i];
      switch (kind[i]) {
        case 0:
          ptr[k] = malloc(size[i]);
          if (!ptr[k]) failures++;
          break;
        case 1:
          ptr[k] = calloc(count[i], size[i]);
          if (!ptr[k]) failures++;
          break;
        case 2: {
          void *p = realloc(ptr[k], size[i]);
          if (p || size[i] == 0) ptr[k] = p;
          else failures++;
          break;
        }
        default:
          free(ptr[k]);
          ptr[k] = NULL;
          break;
      }
    }
    double t1 = now_ns();
    times[r] = t1 - t0;
    for (uint32_t k = 0; k < ids; k++) {
      sink ^= (uintptr_t)ptr[k];
      free(ptr[k]);
    }
  }
  qsort(times, (size_t)reps, sizeof(double), compare);
  double median = reps % 2 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2;
  printf("{\"ops\":%u,\"repetitions\":%d,\"minNs\":%.0f,\"medianNs\":%.0f,\"failures\":%lu,\"sink\":%u}\n", ops, reps, times[0],
         median, failures, (unsigned)(sink & 1));
  return 0;
}
