/*
 * dmm record's interposer: an LD_PRELOAD library that logs every malloc-family call of one process.
 *
 * Built by `dmm record` with the machine's cc (cc -shared -fPIC -O2 record.c -ldl -lpthread) on first use and
 * cached. Environment: DMM_RECORD_LOG (the log file) and DMM_RECORD_PARENT (the pid of dmm, the recorded
 * process's parent). Each call reaches the real function through dlsym(RTLD_NEXT, ...).
 *
 * Log lines (addresses in hex, sizes in decimal), turned into a dmm trace by apps/report/src/record.ts:
 *
 *   x 4242            a process image starts (at startup, and again after exec)
 *   m 55d0c0a012a0 100   malloc(100), and aligned_alloc / memalign / posix_memalign / valloc / pvalloc of 100
 *   c 55d0c0a01320 4 16  calloc(4, 16)
 *   r 55d0c0a012a0 55d0c0a01400 200   realloc(old, 200) (and reallocarray) returned new
 *   f 55d0c0a01400       free
 *
 * Why one lock around the call AND its record: with threads, free(p) in one thread and a malloc that gets p
 * again in another must appear in the log in the order they happened, or the converter would bind the new
 * object to the old one. glibc's mtrace does not do that (and drops other threads' calls in practice).
 *
 * Early calls: dlsym itself calls calloc before the real calloc is known; calls made while this library is
 * resolving (or from inside one of its own calls) are served from a static bootstrap buffer that is never
 * freed, and are not logged.
 *
 * Processes: only the process dmm started is recorded (its parent is DMM_RECORD_PARENT), including what it
 * becomes through exec (`sh -c 'exec prog'`). Its children are not recorded: a forked child stops logging (a
 * pthread_atfork handler), and a program it starts (parent = the recorded process) finds it is not the child
 * of dmm and only passes calls through.
 *
 * Records are buffered (1 MiB) and written with write(2) when the buffer fills, at exit and before nothing
 * else: a process killed by a signal or leaving through _exit loses its last buffered records.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_reallocarray)(void *, size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Set once the real functions are known. */
static volatile int ready;
/* Whether this process logs (see "Processes" above). */
static int enabled;
static int log_fd = -1;
/* Set inside this library's own work on this thread: nested calls pass through unlogged. */
static __thread int busy __attribute__((tls_model("initial-exec")));

/* ---- bootstrap buffer: a bump allocator with a size word before each block ---- */
static _Alignas(16) unsigned char boot[256 * 1024];
static size_t boot_used;

static int in_boot(const void *p) {
  return (const unsigned char *)p >= boot && (const unsigned char *)p < boot + sizeof boot;
}

static void *boot_alloc(size_t n) {
  size_t need = ((n + 15) & ~(size_t)15) + 16;
  size_t at = __atomic_fetch_add(&boot_used, need, __ATOMIC_RELAXED);
  if (n > sizeof boot || at + need > sizeof boot) return NULL;
  *(size_t *)(boot + at) = n;
  return boot + at + 16; /* zeroed: static storage, never reused */
}

static size_t boot_size(const void *p) {
  return *(const size_t *)((const unsigned char *)p - 16);
}

/* ---- the log ---- */
static char buf[1 << 20];
static size_t used;
static int exiting;

static void flush(void) {
  size_t off = 0;
  while (log_fd >= 0 && off < used) {
    ssize_t w = write(log_fd, buf + off, used - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  used = 0;
}

static void put_char(char c) { buf[used++] = c; }

static void put_hex(uintptr_t v) {
  char tmp[2 * sizeof v];
  int n = 0;
  do tmp[n++] = "0123456789abcdef"[v & 15]; while ((v >>= 4) != 0);
  while (n > 0) put_char(tmp[--n]);
}

static void put_dec(size_t v) {
  char tmp[24];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  while (n > 0) put_char(tmp[--n]);
}

/* Every record is under 80 bytes: make room first. Called with the lock held. */
static void begin(char op) {
  if (used > sizeof buf - 128) flush();
  put_char(op);
}

static void end(void) {
  put_char('\n');
  if (exiting) flush();
}

static void log_m(void *p, size_t n) { begin('m'); put_char(' '); put_hex((uintptr_t)p); put_char(' '); put_dec(n); end(); }
static void log_c(void *p, size_t count, size_t n) { begin('c'); put_char(' '); put_hex((uintptr_t)p); put_char(' '); put_dec(count); put_char(' '); put_dec(n); end(); }
static void log_r(void *old, void *p, size_t n) { begin('r'); put_char(' '); put_hex((uintptr_t)old); put_char(' '); put_hex((uintptr_t)p); put_char(' '); put_dec(n); end(); }
static void log_f(void *p) { begin('f'); put_char(' '); put_hex((uintptr_t)p); end(); }

/* ---- fork: the child gets the lock unlocked and stops logging (its copy of the buffer is the parent's) ---- */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }
static void after_fork_child(void) {
  enabled = 0;
  used = 0;
  if (log_fd >= 0) close(log_fd);
  log_fd = -1;
  pthread_mutex_unlock(&lock);
}

static void die(const char *what) {
  static const char prefix[] = "dmm record: cannot find the real ";
  ssize_t ignored = write(2, prefix, sizeof prefix - 1);
  ignored = write(2, what, strlen(what));
  ignored = write(2, "\n", 1);
  (void)ignored;
  abort();
}

static void *must(const char *name) {
  void *f = dlsym(RTLD_NEXT, name);
  if (!f) die(name);
  return f;
}

static void resolve(void) {
  busy = 1;
  real_malloc = (void *(*)(size_t))must("malloc");
  real_calloc = (void *(*)(size_t, size_t))must("calloc");
  real_realloc = (void *(*)(void *, size_t))must("realloc");
  real_free = (void (*)(void *))must("free");
  real_reallocarray = (void *(*)(void *, size_t, size_t))dlsym(RTLD_NEXT, "reallocarray");
  real_posix_memalign = (int (*)(void **, size_t, size_t))must("posix_memalign");
  real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
  real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
  __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);

  const char *file = getenv("DMM_RECORD_LOG");
  const char *parent = getenv("DMM_RECORD_PARENT");
  if (file && parent && strtol(parent, NULL, 10) == (long)getppid()) {
    log_fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd >= 0) {
      enabled = 1;
      pthread_atfork(before_fork, after_fork_parent, after_fork_child);
      pthread_mutex_lock(&lock);
      begin('x'); put_char(' '); put_dec((size_t)getpid()); end();
      pthread_mutex_unlock(&lock);
    }
  }
  busy = 0;
}

__attribute__((constructor)) static void start(void) {
  if (!busy) pthread_once(&once, resolve);
}

__attribute__((destructor)) static void stop(void) {
  if (!enabled) return;
  pthread_mutex_lock(&lock);
  flush();
  exiting = 1; /* calls from later destructors are written one by one */
  pthread_mutex_unlock(&lock);
}

/* The prologue of every entry point: nested or early calls go straight through (or to the bootstrap buffer). */
#define ENTER(passthrough, early)                 \
  if (busy) {                                     \
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) return early; \
    return passthrough;                           \
  }                                               \
  pthread_once(&once, resolve);                   \
  if (!enabled) return passthrough;               \
  busy = 1;                                       \
  pthread_mutex_lock(&lock)

#define LEAVE()                  \
  pthread_mutex_unlock(&lock);   \
  busy = 0

void *malloc(size_t n) {
  ENTER(real_malloc(n), boot_alloc(n));
  void *p = real_malloc(n);
  if (p) log_m(p, n);
  LEAVE();
  return p;
}

void *calloc(size_t count, size_t n) {
  size_t total;
  if (__builtin_mul_overflow(count, n, &total)) total = SIZE_MAX;
  ENTER(real_calloc(count, n), boot_alloc(total));
  void *p = real_calloc(count, n);
  if (p) log_c(p, count, n);
  LEAVE();
  return p;
}

void free(void *p) {
  if (!p || in_boot(p)) return;
  if (busy) {
    if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) real_free(p);
    return;
  }
  pthread_once(&once, resolve);
  if (!enabled) {
    real_free(p);
    return;
  }
  busy = 1;
  pthread_mutex_lock(&lock);
  real_free(p);
  log_f(p);
  LEAVE();
}

/* A block from the bootstrap buffer moves to the real heap (logged as a malloc: the trace never saw the old one). */
static void *from_boot(void *old, size_t n) {
  void *p = malloc(n);
  if (p) {
    size_t had = boot_size(old);
    memcpy(p, old, had < n ? had : n);
  }
  return p;
}

/* realloc and reallocarray after the call: what the trace sees. Called with the lock held. */
static void log_realloc(void *old, void *p, size_t n) {
  if (!old) {
    if (p) log_m(p, n);
  } else if (n == 0 && !p) {
    log_f(old); /* realloc(p, 0) freed p */
  } else if (p) {
    log_r(old, p, n);
  } /* else it failed and old is still valid */
}

void *realloc(void *old, size_t n) {
  if (old && in_boot(old)) return from_boot(old, n);
  ENTER(real_realloc(old, n), boot_alloc(n));
  void *p = real_realloc(old, n);
  log_realloc(old, p, n);
  LEAVE();
  return p;
}

void *reallocarray(void *old, size_t count, size_t n) {
  size_t total;
  if (__builtin_mul_overflow(count, n, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  if (old && in_boot(old)) return from_boot(old, total);
  ENTER(real_reallocarray ? real_reallocarray(old, count, n) : real_realloc(old, total), boot_alloc(total));
  void *p = real_reallocarray ? real_reallocarray(old, count, n) : real_realloc(old, total);
  log_realloc(old, p, total);
  LEAVE();
  return p;
}

int posix_memalign(void **out, size_t alignment, size_t n) {
  ENTER(real_posix_memalign(out, alignment, n), ENOMEM);
  int rc = real_posix_memalign(out, alignment, n);
  if (rc == 0 && *out) log_m(*out, n);
  LEAVE();
  return rc;
}

/* aligned_alloc, memalign, valloc, pvalloc: a malloc of their size in the trace. */
#define ALIGNED(name, params, args, n)                         \
  void *name params {                                          \
    ENTER((real_##name ? real_##name args : NULL), NULL);      \
    void *p = real_##name ? real_##name args : NULL;           \
    if (p) log_m(p, n);                                        \
    LEAVE();                                                   \
    return p;                                                  \
  }

ALIGNED(aligned_alloc, (size_t alignment, size_t n), (alignment, n), n)
ALIGNED(memalign, (size_t alignment, size_t n), (alignment, n), n)
ALIGNED(valloc, (size_t n), (n), n)
ALIGNED(pvalloc, (size_t n), (n), n)
