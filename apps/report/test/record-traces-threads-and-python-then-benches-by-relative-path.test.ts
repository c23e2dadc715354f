import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, readTrace, type Trace } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { QUICK_OPS } from "../src/workloads.js";
import { dmm } from "./cli.js";
import { parseCsv } from "./fixtures.js";

// Four threads each malloc and free 20000 blocks of 20000 + t bytes; then one call of every other kind.
const PROGRAM = `
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
static void *work(void *arg) {
  long t = (long)arg;
  for (int i = 0; i < 20000; i++) { char *volatile p = malloc(20000 + t); p[0] = 1; free(p); }
  return NULL;
}
int main(void) {
  pthread_t th[4];
  for (long t = 0; t < 4; t++) pthread_create(&th[t], NULL, work, (void *)t);
  for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
  void *c = calloc(7, 3001);
  void *r = realloc(NULL, 3002);
  r = realloc(r, 3003);
  void *a; if (posix_memalign(&a, 64, 3004)) return 1;
  void *b = aligned_alloc(64, 3008);
  void *m = memalign(64, 3009);
  void *ra = reallocarray(NULL, 3, 1005);
  free(c); free(r); free(a); free(b); free(m); free(ra);
  return 0;
}
`;

const cc = process.env.CC ?? "cc";
const hasCc = spawnSync(cc, ["--version"]).status === 0;
const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** Ops of the trace by kind and requested size (calloc: count × size). */
function opsBySize(trace: Trace): { mallocs: Map<number, number>; allocations: Map<number, number>; frees: Map<number, number>; kinds: Map<number, string> } {
  const { kind, id, size, count } = trace.columns;
  const sizeOf = new Map<number, number>();
  const mallocs = new Map<number, number>();
  const frees = new Map<number, number>();
  const allocations = new Map<number, number>();
  const kinds = new Map<number, string>();
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i]!;
    if (k === OP_FREE) {
      const s = sizeOf.get(id[i]!)!;
      frees.set(s, (frees.get(s) ?? 0) + 1);
      continue;
    }
    const bytes = k === OP_CALLOC ? count[i]! * size[i]! : size[i]!;
    sizeOf.set(id[i]!, bytes);
    if (k === OP_MALLOC) mallocs.set(bytes, (mallocs.get(bytes) ?? 0) + 1);
    if (k === OP_MALLOC || k === OP_CALLOC) allocations.set(bytes, (allocations.get(bytes) ?? 0) + 1);
    kinds.set(bytes, k === OP_MALLOC ? "a" : k === OP_CALLOC ? "c" : k === OP_REALLOC ? "r" : "f");
  }
  return { mallocs, allocations, frees, kinds };
}

describe("dmm record", () => {
  const root = mkdtempSync(join(tmpdir(), "dmm-record-test-"));
  const programs = join(root, "programs");
  const elsewhere = join(root, "elsewhere");
  mkdirSync(programs);
  mkdirSync(elsewhere);

  it("says clearly that it needs a C compiler when there is none", async () => {
    const r = await dmm(["record", "--", "true"], { cwd: programs, env: { PATH: process.env.PATH, CC: join(root, "no-such-cc") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dmm: dmm record needs a C compiler .*install cc .*or set CC\n$/);
  });

  it("records every call of a threaded C program, in an order that replays, and benches it by a relative path from another folder", async () => {
    if (!hasCc) {
      // Without cc there is no interposer: the clear error is the behaviour (checked above); nothing else to record.
      const r = await dmm(["record", "--", "true"], { cwd: programs, env: { PATH: process.env.PATH } });
      expect(r.stderr).toMatch(/needs a C compiler/);
      return;
    }
    writeFileSync(join(programs, "threads.c"), PROGRAM);
    const built = spawnSync(cc, ["-O0", "-fno-builtin", "-pthread", "-o", "threads", "threads.c"], { cwd: programs, encoding: "utf8" });
    expect(built.stderr).toBe("");
    const r = await dmm(["record", "-o", "threads.trace.gz", "--", "./threads"], { cwd: programs, env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ops: [\d,]+ \(/);
    expect(r.stdout).toMatch(/objects: [\d,]+ allocated/);
    expect(r.stdout).toMatch(/peak live bytes: [\d,]+/);
    expect(r.stdout).toContain("next: dmm bench --workloads ./threads.trace.gz");

    // readTrace parses the written file strictly: a free before its malloc (a torn order) would throw.
    const trace = await readTrace(join(programs, "threads.trace.gz"));
    const { mallocs, frees, kinds } = opsBySize(trace);
    for (let t = 0; t < 4; t++) {
      expect(mallocs.get(20000 + t)).toBe(20000);
      expect(frees.get(20000 + t)).toBe(20000);
    }
    expect(kinds.get(7 * 3001)).toBe("c"); // calloc, as c
    expect(kinds.get(3003)).toBe("r"); // realloc of a live block
    expect(mallocs.get(3002)).toBe(1); // realloc(NULL, n) is a malloc
    for (const aligned of [3004, 3008, 3009]) expect(mallocs.get(aligned)).toBe(1); // posix_memalign, aligned_alloc, memalign
    expect(mallocs.get(3 * 1005)).toBe(1); // reallocarray(NULL, 3, 1005)
    expect(trace.meta.source).toBe("dmm record -- ./threads");

    const bench = await dmm(["bench", "--workloads", "../programs/threads.trace.gz", "--strategies", "tlsf", "--coalescing", "on", "--quick", "--jobs", "1", "--out", "report"], { cwd: elsewhere, env: {} });
    expect(bench.stderr).not.toMatch(/dmm:/);
    expect(bench.code).toBe(0);
    const rows = parseCsv(readFileSync(join(elsewhere, "report", "results.csv"), "utf8"));
    expect(rows.map((row) => [row.allocator, row.workload, row.error])).toEqual([["tlsf", "threads.trace.gz", ""]]);
    expect(Number(rows[0]!.ops)).toBe(Math.min(trace.length, QUICK_OPS)); // --quick replays a prefix
  });

  it("records a Python one-liner through malloc (PYTHONMALLOC=malloc)", async () => {
    const args = ["record", "-o", "py.trace.gz", "--", "python3", "-c", "x = [bytes(200 + i % 7) for i in range(10000)]"];
    if (!hasCc || !hasPython) {
      const r = await dmm(args, { cwd: programs, env: { PATH: process.env.PATH } });
      expect(r.stderr).toMatch(hasCc ? /cannot run "python3": no such program/ : /needs a C compiler/);
      return;
    }
    const r = await dmm(args, { cwd: programs, env: { PATH: process.env.PATH } });
    expect(r.code).toBe(0);
    const trace = await readTrace(join(programs, "py.trace.gz"));
    const { allocations } = opsBySize(trace);
    // Each bytes(n) is one allocation (CPython callocs zeroed bytes) of n + 33 bytes: PyBytesObject's header and NUL.
    for (let k = 0; k < 7; k++) expect(allocations.get(200 + k + 33) ?? 0).toBeGreaterThanOrEqual(Math.floor(10000 / 7));
    const bench = await dmm(["bench", "--workloads", "../programs/py.trace.gz", "--strategies", "best-fit", "--coalescing", "on", "--quick", "--jobs", "1", "--out", "py-report"], { cwd: elsewhere, env: {} });
    expect(bench.code).toBe(0);
  });

  it("is a usage error without a command, or with one that does not exist", async () => {
    const none = await dmm(["record"], { cwd: programs });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'command'/);
    if (!hasCc) return;
    const missing = await dmm(["record", "--", "./no-such-program"], { cwd: programs, env: { PATH: process.env.PATH } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot run "\.\/no-such-program": no such program/);
  });
});
