import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureNative } from "@dmm/bench";
import { expect, it } from "vitest";
import { randomTrace } from "./helpers.js";

const cc = process.env.CC ?? "cc";
const hasCc = !spawnSync(cc, ["--version"]).error;
const linux = process.platform === "linux";

/** A malloc that never frees: bump allocation out of one mmap'd region, a size header per block (built with -fno-builtin, or cc turns calloc's malloc + memset back into a call to calloc). */
const NEVER_FREE_C = String.raw`
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
static char *base, *top, *end;
static int grow(void) {
  size_t bytes = (size_t)1 << 32;
  base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return -1;
  top = base;
  end = base + bytes;
  return 0;
}
void *malloc(size_t n) {
  if (!base && grow()) return NULL;
  size_t need = (n + 8 + 15) & ~(size_t)15;
  if (need < n || (size_t)(end - top) < need) return NULL;
  *(size_t *)(top + 8) = n;
  char *p = top + 16;
  top += need + 8;
  return p;
}
void free(void *p) { (void)p; }
void *calloc(size_t c, size_t n) {
  if (n && c > (size_t)-1 / n) return NULL;
  void *p = malloc(c * n);
  if (p) memset(p, 0, c * n);
  return p;
}
void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  if (!n) return NULL;
  void *q = malloc(n);
  size_t old = *(size_t *)((char *)p - 8);
  if (q) memcpy(q, p, old < n ? old : n);
  return q;
}
`;

it.runIf(hasCc && linux)("a never-freeing allocator's footprint comes out far above glibc's on the same trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmm-never-free-"));
  writeFileSync(join(dir, "never-free.c"), NEVER_FREE_C);
  const lib = join(dir, "libneverfree.so");
  const built = spawnSync(cc, ["-O2", "-fno-builtin", "-shared", "-fPIC", "-o", lib, join(dir, "never-free.c")], { encoding: "utf8" });
  expect(built.stderr).toBe("");
  // ~5000 objects (about 1.3 MB) live at a time, 300k ops: what gets freed is worth ~30x the peak live bytes.
  const trace = randomTrace(300_000, 5, 5000);
  const glibc = measureNative(trace, { repetitions: 3 });
  const never = measureNative(trace, { repetitions: 3, preload: lib });
  if (glibc.skipped) throw new Error(glibc.reason);
  if (never.skipped) throw new Error(never.reason);
  expect(never.allocator).toBe("libneverfree.so");
  expect(glibc.footprint).not.toBeNull();
  expect(never.footprint).not.toBeNull();
  expect(glibc.footprint!).toBeLessThan(5);
  expect(never.footprint!).toBeGreaterThan(5 * glibc.footprint!);
  console.log(`footprint: glibc ${glibc.footprint!.toFixed(2)}, never-free ${never.footprint!.toFixed(2)}`);
  expect(never.peakLiveBytes).toBe(glibc.peakLiveBytes);
  expect(never.nsPerOp).toBeGreaterThan(0);
  expect(never.ciLow).toBeLessThanOrEqual(never.nsPerOp);
  expect(never.ciHigh).toBeGreaterThanOrEqual(never.nsPerOp);
});

it.runIf(hasCc && linux)("a library that does not export malloc is skipped, saying which functions it did not interpose", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmm-not-malloc-"));
  writeFileSync(join(dir, "nothing.c"), "int dmm_nothing(void) { return 1; }\n");
  const lib = join(dir, "libnothing.so");
  spawnSync(cc, ["-O2", "-shared", "-fPIC", "-o", lib, join(dir, "nothing.c")]);
  const result = measureNative(randomTrace(100, 1), { repetitions: 1, preload: lib });
  expect(result).toEqual({ skipped: true, reason: expect.stringMatching(/libnothing\.so does not interpose malloc, free, calloc, realloc/) });
});
