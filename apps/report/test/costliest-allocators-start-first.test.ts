/**
 * The pool starts the allocators' workers costliest first (longest processing time first), so the last workers to
 * finish are small ones and no core idles long at the end: the cost counts each cell's ops, a quadratic peer's
 * walks on top, nothing for a cell that peer skips, and little for the C replayer.
 */
import { TraceBuilder, type Trace } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { backendByName, backends } from "../src/backends.js";
import { buildMatrix } from "../src/matrix.js";
import { jobCost, scheduleJobs } from "../src/pool.js";
import type { RunSettings, WorkloadRef } from "../src/types.js";

const settings: RunSettings = { quick: false, heapMapWorkloads: [] };
const all = backends();
const pick = (...names: string[]) => names.map((n) => backendByName(n, all));

/** `live` objects of spread sizes, then all of them freed. */
function ramp(live: number): Trace {
  const b = new TraceBuilder();
  for (let i = 0; i < live; i++) b.malloc(i, 8 + 8 * (i % 500));
  for (let i = 0; i < live; i++) b.free(i);
  return b.finish();
}

const workload = (name: string): WorkloadRef => ({ name, file: `${name}.trace`, kind: "file", description: "" });

describe("scheduling the pool's jobs", () => {
  it("puts a peer whose free walks its live blocks before a strategy when its walks are the larger work", () => {
    const traces = new Map([["big.trace", ramp(2000)]]);
    const list = pick("first-fit", "thi.ng-malloc", "glibc");
    const cells = buildMatrix(list, ["immediate"], [workload("big")]);
    const order = scheduleJobs(cells, list, null, traces, settings).map((j) => j.backends.map((b) => b.name).join("+"));
    // thi.ng-malloc: 4000 ops × (2000 live) walks; first-fit: 4000 ops; glibc: 4000 ops of C.
    expect(order).toEqual(["thi.ng-malloc", "first-fit", "glibc"]);
  });

  it("counts nothing for the cells a quadratic peer skips", () => {
    const big = ramp(20_000); // 40k ops × 20k live = 8·10⁸ > the limit of 10⁸: skipped
    const traces = new Map([["big.trace", big]]);
    const list = pick("first-fit", "thi.ng-malloc");
    const cells = buildMatrix(list, ["immediate"], [workload("big")]);
    const jobs = scheduleJobs(cells, list, null, traces, settings);
    expect(jobs.map((j) => j.backends.map((b) => b.name).join("+"))).toEqual(["first-fit", "thi.ng-malloc"]);
    expect(jobCost(jobs[1]!, traces, settings)).toBe(0);
  });

  it("keeps the allocators' order among equal costs, and gives natives no beside runs", () => {
    const traces = new Map([["a.trace", ramp(100)]]);
    const list = pick("best-fit", "first-fit", "tlsf", "glibc");
    const cells = buildMatrix(list, ["immediate", "none"], [workload("a")]);
    const jobs = scheduleJobs(cells, list, { adversary: true, efficiency: true, coalescing: ["immediate", "none"] }, traces, settings);
    expect(jobs.map((j) => [j.backends.map((b) => b.name).join("+"), j.beside, j.cells.length])).toEqual([
      ["best-fit", true, 2],
      ["first-fit", true, 2],
      ["tlsf", true, 2],
      ["glibc", false, 1],
    ]);
  });

  it("runs an allocator's beside runs even when this shard has none of its cells", () => {
    const traces = new Map([["a.trace", ramp(100)]]);
    const list = pick("first-fit", "tlsf");
    const cells = buildMatrix(list, ["immediate"], [workload("a")]).filter((c) => c.allocator === "tlsf");
    const jobs = scheduleJobs(cells, list, { adversary: true, efficiency: false, coalescing: ["immediate"] }, traces, settings);
    expect(jobs.map((j) => [j.backends.map((b) => b.name).join("+"), j.cells.length])).toEqual([["tlsf", 1], ["first-fit", 0]]);
    expect(scheduleJobs(cells, list, null, traces, settings).map((j) => j.backends.map((b) => b.name).join("+"))).toEqual(["tlsf"]);
  });
});
