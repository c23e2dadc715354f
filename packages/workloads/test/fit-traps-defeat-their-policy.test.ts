/**
 * Each fit trap costs the policy it defeats exactly fitTrapBound units of new memory, and its rival none:
 * the set-up only allocates, so both start from the same layout.
 */
import { createHeap, type Strategy } from "@dmm/core";
import { bestFit, firstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { fitTrapBound, generate, type Trace } from "@dmm/workloads";

const UNIT = 24;

/** Highest block end a trace reaches on a fresh growable heap, and the extent right after the set-up. */
function extents(trace: Trace, strategy: Strategy, setupOps: number): { setup: number; end: number } {
  const heap = createHeap({ size: 0, maxSize: 1 << 28, strategy });
  const ptr = new Float64Array(trace.idCount);
  let i = 0;
  let setup = 0;
  for (const op of trace) {
    if (op.kind === "a") ptr[op.id] = heap.malloc(op.size);
    else if (op.kind === "f") heap.free(ptr[op.id]!);
    if (++i === setupOps) setup = heap.stats().peakHeapBytes;
  }
  return { setup, end: heap.stats().peakHeapBytes };
}

describe("fit-trap", () => {
  it("defeats best-fit: 5 new units per group for best fit, none for first fit", () => {
    const groups = 40;
    const trace = generate("fit-trap", { defeats: "best-fit", groups });
    const best = extents(trace, bestFit(), 4 * groups);
    const first = extents(trace, firstFit(), 4 * groups);
    expect(best.setup).toBe(first.setup);
    expect(first.end).toBe(first.setup);
    expect((best.end - best.setup) / UNIT).toBe(fitTrapBound("best-fit", groups, 8));
  });

  it("defeats first-fit: s + 2 new units per group for first fit, none for best fit", () => {
    const groups = 30;
    const trace = generate("fit-trap", { defeats: "first-fit", groups, base: 5 });
    const first = extents(trace, firstFit(), 4 * groups);
    const best = extents(trace, bestFit(), 4 * groups);
    expect(best.end).toBe(best.setup);
    expect((first.end - first.setup) / UNIT).toBe(fitTrapBound("first-fit", groups, 5));
  });
});
