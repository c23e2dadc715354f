/**
 * A peer whose free is linear in something a trace can make large is skipped on such traces, with the reason in
 * the cell, instead of spending minutes: @thi.ng/malloc (O(live blocks) per free) and npm malloc (O(free blocks of
 * one size) per malloc and free: equal sizes are one run of its skip list). The same traces with the sizes
 * spread out still run on npm malloc.
 */
import { TraceBuilder, type Trace } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { backendByName } from "../src/backends.js";
import { liveLinearLimit, peakLiveOfOneSize, quadraticWork, runCell } from "../src/cell.js";
import type { Cell, RunSettings } from "../src/types.js";

const settings: RunSettings = { quick: true, heapMapWorkloads: [] };
const live = 10_000;

/** `live` objects, then all of them freed, twice: ops × peak live = 4 live × live. */
function trace(sizeOf: (i: number) => number): Trace {
  const b = new TraceBuilder();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < live; i++) b.malloc(i, sizeOf(i));
    for (let i = 0; i < live; i++) b.free(i);
  }
  return b.finish();
}

function cell(allocator: string): Cell {
  return { index: 0, allocator, allocatorKind: "peer", coalescing: "own", workload: { name: "t", file: "t.trace", kind: "file", description: "" } };
}

describe("quadratic peer cells", () => {
  const oneSize = trace(() => 48);
  const spread = trace((i) => 8 + 8 * (i % 4000));

  it("counts the peak of live objects of one size", () => {
    expect(peakLiveOfOneSize(oneSize)).toBe(live);
    expect(peakLiveOfOneSize(spread)).toBe(3);
    expect(oneSize.length * live).toBeGreaterThan(liveLinearLimit(true));
  });

  it("skips npm malloc on many free blocks of one size, saying why", () => {
    const r = runCell(cell("npm-malloc"), oneSize, settings);
    expect(r.error).toMatch(/^skipped: free\(\) and malloc are O\(free blocks of one size\)/);
    expect(r.metrics).toBeNull();
  });

  it("runs npm malloc when the sizes are spread out", () => {
    const r = runCell(cell("npm-malloc"), spread, settings);
    expect(r.error).toBeNull();
    expect(r.metrics?.ops).toBe(spread.length);
  });

  it("skips @thi.ng/malloc on many live blocks whatever their sizes", () => {
    expect(runCell(cell("thi.ng-malloc"), spread, settings).error).toMatch(/^skipped: free\(\) is O\(live blocks\)/);
  });

  it("skips @thi.ng/malloc on a realloc-heavy trace with few live blocks: each moved block stays on its used list", () => {
    // 2 live objects reallocated 8000 times in turn: ops × peak live is tiny, ops × (peak live + reallocs) is not.
    const b = new TraceBuilder();
    for (let i = 0; i < 2; i++) b.malloc(i, 16);
    for (let step = 1; step <= 8000; step++) b.realloc(step % 2, 16 + 8 * step);
    for (let i = 0; i < 2; i++) b.free(i);
    const reallocs = b.finish();
    expect(reallocs.length * 2).toBeLessThan(liveLinearLimit(true));
    expect(reallocs.length * 8002).toBeGreaterThan(liveLinearLimit(true));
    expect(runCell(cell("thi.ng-malloc"), reallocs, settings).error).toMatch(/^skipped: free\(\) is O\(live blocks\).*\+ reallocs/);
    expect(runCell(cell("npm-malloc"), reallocs, settings).error).toBeNull();
  });

  it("gives a quick run's peer a tenth of the full run's work, as its traces are a tenth as long", () => {
    // 2500 live objects, 5000 ops: 1.25·10⁷ walk steps, past the quick limit and within the full run's.
    const b = new TraceBuilder();
    for (let i = 0; i < 2500; i++) b.malloc(i, 16 + 8 * (i % 100));
    for (let i = 0; i < 2500; i++) b.free(i);
    const t = b.finish();
    const thing = backendByName("thi.ng-malloc");
    expect(quadraticWork(thing, t, false)!.work).toBeLessThanOrEqual(liveLinearLimit(false));
    expect(liveLinearLimit(true)).toBe(liveLinearLimit(false) / 10);
    expect(runCell(cell("thi.ng-malloc"), t, settings).error).toMatch(/^skipped: free\(\) is O\(live blocks\).* = 1\.3e\+7 > 1e\+7 /);
  });

  it("runs the core heaps on the same traces", () => {
    expect(runCell({ ...cell("tlsf"), allocatorKind: "strategy", coalescing: "immediate" }, oneSize, settings, backendByName("tlsf")).error).toBeNull();
  });
});
