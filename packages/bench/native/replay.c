/*
 * Replays a dmm trace on whatever malloc this process links: the C library's (glibc on Linux), or any allocator
 * interposed with LD_PRELOAD (jemalloc, tcmalloc, mimalloc, a user's .so). Prints one JSON line.
 *
 *   usage: replay <trace.bin> [repetitions] [wall|cpu]
 *
 * trace.bin (little-endian), written by @dmm/bench's native.ts:
 *   "DMMT" | u32 version = 1 | u32 ops | u32 idCount | u8 kind[ops] | pad to 4 | u32 id[ops] | u32 size[ops] | u32 count[ops]
 *   kind: 0 malloc, 1 calloc (count x size), 2 realloc, 3 free
 *
 * The whole trace is read and checked before anything is timed. Then:
 *   1. the footprint pass (untimed): the peak-RSS mark is reset (/proc/self/clear_refs), the resident set is read
 *      as a baseline, the trace is replayed writing one byte in every page of every block (so the pages a
 *      program would touch are resident), and the peak resident set (VmHWM) is read; leftovers are freed.
 *   2. each timed repetition replays the whole trace with clock_gettime around it and nothing but the calls
 *      inside: CLOCK_MONOTONIC ("wall", the default) or CLOCK_PROCESS_CPUTIME_ID ("cpu"). The pointer table is
 *      reset and leftovers freed outside the timed region; the allocator's state carries over between
 *      repetitions, as it would in a long-running program.
 * "malloc", "free", "calloc", "realloc" in the output name the object each symbol resolved to, so the caller can
 * check that a preloaded library really interposed all four.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t clock_id = CLOCK_MONOTONIC;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(clock_id, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* A "VmRSS:"-style field of /proc/self/status in bytes, or -1 where there is none. */
static long long status_bytes(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long long kib = -1;
  size_t n = strlen(field);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0) {
      kib = atoll(line + n);
      break;
    }
  }
  fclose(f);
  return kib < 0 ? -1 : kib * 1024;
}

/* Resets VmHWM to the current resident set (Linux >= 4.0); 0 on success. */
static int reset_peak_rss(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return -1;
  int ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Writes one byte in every page of [p, p + n). */
static void touch(void *p, size_t n) {
  volatile unsigned char *b = p;
  for (size_t at = 0; at < n; at += 4096) b[at] = 1;
  if (n) b[n - 1] = 1;
}

static void print_symbol(const char *name) {
  void *address = dlsym(RTLD_DEFAULT, name);
  Dl_info info;
  const char *from = address && dladdr(address, &info) && info.dli_fname ? info.dli_fname : "";
  printf(",\"%s\":\"", name);
  for (const char *c = from; *c; c++) {
    if (*c == '"' || *c == '\\') putchar('\\');
    if ((unsigned char)*c >= 0x20) putchar(*c);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <trace.bin> [repetitions] [wall|cpu]\n", argv[0]);
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (reps < 1) reps = 1;
  if (reps > 10000) reps = 10000;
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
  size_t *length = calloc(ids ? ids : 1, sizeof(size_t));
  double *times = malloc(sizeof(double) * (size_t)reps);
  if (!kind || !id || !size || !count || !ptr || !length || !times) {
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

  /* 1. Footprint: resident bytes the replay added at its peak, pages of every block touched. */
  int reset = reset_peak_rss();
  long long baseline = status_bytes("VmRSS:");
  unsigned long failures = 0;
  for (uint32_t i = 0; i < ops; i++) {
    uint32_t k = id[i];
    switch (kind[i]) {
      case 0:
        ptr[k] = malloc(size[i]);
        length[k] = ptr[k] ? size[i] : 0;
        break;
      case 1:
        ptr[k] = calloc(count[i], size[i]);
        length[k] = ptr[k] ? (size_t)count[i] * size[i] : 0;
        break;
      case 2: {
        void *p = realloc(ptr[k], size[i]);
        if (p || size[i] == 0) ptr[k] = p, length[k] = p ? size[i] : 0;
        break;
      }
      default:
        free(ptr[k]);
        ptr[k] = NULL;
        length[k] = 0;
        continue;
    }
    if (ptr[k]) touch(ptr[k], length[k]);
  }
  long long peak = status_bytes("VmHWM:");
  for (uint32_t k = 0; k < ids; k++) free(ptr[k]);

  /* 2. Timed repetitions: only the calls between the clock reads. */
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
  printf("{\"ops\":%u,\"repetitions\":%d,\"failures\":%lu,\"sink\":%u", ops, reps, failures, (unsigned)(sink & 1));
  printf(",\"baselineRssBytes\":%lld,\"peakRssBytes\":%lld,\"peakReset\":%s", baseline, peak, reset == 0 ? "true" : "false");
  printf(",\"times\":[");
  for (int r = 0; r < reps; r++) printf("%s%.0f", r ? "," : "", times[r]);
  printf("]");
  print_symbol("malloc");
  print_symbol("free");
  print_symbol("calloc");
  print_symbol("realloc");
  printf("}\n");
  return 0;
}
