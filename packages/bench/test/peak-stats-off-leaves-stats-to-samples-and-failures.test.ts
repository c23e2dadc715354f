/**
 * `peakStats: false` (a replay whose failures alone are kept, the report's fixed arena): stats() is called for the
 * timeline's samples and to classify failures, not at each new peak of live bytes; every other field is as with the
 * heap captured at its peaks.
 */
import { type Allocator, createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { TraceBuilder, type Trace } from "@dmm/workloads";
import { replay } from "@dmm/bench";
import { expect, it } from "vitest";

/** A growing trace: each malloc sets a new peak that the next free ends, then everything is freed. */
function sawtooth(): Trace {
  const b = new TraceBuilder();
  let id = 0;
  for (let i = 0; i < 200; i++) {
    b.malloc(id++, 24 + (i % 7) * 40);
    b.malloc(id++, 16);
    b.free(id - 1);
  }
  for (let i = 0; i < id; i += 2) b.free(i);
  return b.finish();
}

/** `heap` with its stats() calls counted. */
function counting(heap: Allocator): { allocator: Allocator; calls: () => number } {
  let calls = 0;
  const allocator = new Proxy(heap, {
    get(target, key) {
      if (key === "stats") return () => (calls++, target.stats());
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { allocator, calls: () => calls };
}

const fixedHeap = (bytes: number) => createHeap({ size: bytes, maxSize: bytes, strategy: tlsf(), coalescing: "immediate" });

it("calls stats() for the two timeline samples and each failure only, the rest of the result unchanged", () => {
  const trace = sawtooth();
  for (const bytes of [1 << 20, 6000]) {
    const on = counting(fixedHeap(bytes));
    const off = counting(fixedHeap(bytes));
    const withPeaks = replay(trace, on.allocator, { timelinePoints: 2 });
    const without = replay(trace, off.allocator, { timelinePoints: 2, peakStats: false });
    const failures = without.failures.outOfMemory + without.failures.fragmented;
    expect(off.calls()).toBe(2 + failures + 1); // two samples, the failures, and the final stats() for peakHeapBytes
    expect(on.calls()).toBeGreaterThan(off.calls() + (bytes === 6000 ? 0 : 100));
    expect(without.internalFragmentation).toBeNaN();
    expect(without.externalFragmentation.atPeak).toBeNaN();
    const { internalFragmentation: _a, externalFragmentation: _b, ...rest } = without;
    const { internalFragmentation: _c, externalFragmentation: _d, ...restWithPeaks } = withPeaks;
    expect(rest).toEqual(restWithPeaks);
    expect(without.externalFragmentation.mean).toBe(withPeaks.externalFragmentation.mean);
    if (bytes === 6000) expect(failures).toBeGreaterThan(0);
  }
});
