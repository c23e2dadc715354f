import { createHeap } from "@dmm/core";
import { bestFit, createBuddyAllocator, firstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { generate, robsonAdversary, robsonBound, traceStats } from "@dmm/workloads";

const growable = (strategy: ReturnType<typeof firstFit>) => createHeap({ size: 0, maxSize: 1 << 28, strategy });

/** Peak heap extent of a trace replayed on a fresh growable heap, in bytes (highest block end). */
function extentOf(trace: ReturnType<typeof generate>, strategy: ReturnType<typeof firstFit>): number {
  const heap = growable(strategy);
  const ptr = new Float64Array(trace.idCount);
  let high = 0;
  for (const op of trace) {
    if (op.kind === "a") {
      const p = heap.malloc(op.size);
      ptr[op.id] = p;
      high = Math.max(high, p + heap.usableSize(p));
    } else if (op.kind === "f") heap.free(ptr[op.id]!);
  }
  return high;
}

describe("Robson's adaptive adversary", () => {
  const n = 64;
  const M = 2048;
  const unit = 16;

  it.each([
    ["first-fit", firstFit],
    ["best-fit", bestFit],
  ] as const)("forces %s to a larger heap extent than the same phases with random frees", (_, make) => {
    const adaptive = robsonAdversary(growable(make()), { n, M, unit });
    const oblivious = generate("robson-oblivious", { n, M, unit, seed: 1 });
    const obliviousUnits = extentOf(oblivious, make()) / unit;
    expect(adaptive.failures).toBe(0);
    expect(adaptive.heapExtent).toBeGreaterThan(obliviousUnits * 1.2);
    // Well above M: the heap is much larger than the live data it ever held.
    expect(adaptive.ratio).toBeGreaterThan(2);
  });

  it("keeps live memory within M units and reports Robson's bound", () => {
    const r = robsonAdversary(growable(firstFit()), { n, M, unit });
    const stats = traceStats(r.trace);
    expect(stats.peakLiveBytes).toBeLessThanOrEqual(M * unit);
    expect(r.bound).toBe(M * (1 + 0.5 * Math.log2(n)) - n + 1);
    expect(r.bound).toBe(robsonBound(M, n));
    expect(r.boundRatio).toBeCloseTo(r.bound / M);
    expect(r.heapExtentBytes).toBe(r.heapExtent * unit);
  });

  it("records a trace that replays to the same extent against the same policy", () => {
    const r = robsonAdversary(growable(firstFit()), { n: 16, M: 512, unit });
    expect(extentOf(r.trace, firstFit())).toBe(r.heapExtentBytes);
  });

  it("plays against any Allocator, here the buddy system with its own block layout", () => {
    const r = robsonAdversary(createBuddyAllocator({ size: 0, maxSize: 1 << 26 }), { n: 32, M: 1024, unit });
    expect(r.failures).toBe(0);
    expect(r.ratio).toBeGreaterThan(2);
    expect(traceStats(r.trace).peakLiveBytes).toBeLessThanOrEqual(1024 * unit);
  });

  it("rejects sizes that are not powers of two and M below n", () => {
    expect(() => robsonAdversary(growable(firstFit()), { n: 12, M: 100 })).toThrow(/power of two/);
    expect(() => robsonAdversary(growable(firstFit()), { n: 64, M: 32 })).toThrow(/M must be/);
  });
});

describe("Robson's unit", () => {
  it("is the allocator's smallest block unless given: a size-1 request fills exactly one", () => {
    for (const [allocator, unit] of [
      [growable(firstFit()), 24],
      [createBuddyAllocator({ size: 0, maxSize: 1 << 26 }), 16],
    ] as const) {
      const r = robsonAdversary(allocator, { n: 4, M: 64 });
      expect(r.unit).toBe(unit);
      const first = [...r.trace][0]!;
      expect(first).toMatchObject({ kind: "a", size: unit - 8 });
      expect(allocator.usableSize(allocator.malloc(first.size)) + 8).toBe(unit);
    }
  });
});
