import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/** An allocator whose stats() knows nothing about its extent. */
class NoExtent extends ForwardingAllocator {
  override stats() {
    return { ...this.inner.stats(), heapBytes: 0, peakHeapBytes: 0 };
  }
  extent(): number {
    return this.inner.stats().heapBytes;
  }
}

it("takes the heap extent from heapBytesOf after every allocating op", () => {
  // Same trace as metrics-hand-computed: the heap peaks at 312 bytes, 232 live.
  const trace = new TraceBuilder().malloc(0, 16).malloc(1, 16).malloc(2, 16).malloc(3, 16).free(0).free(2).malloc(4, 200).free(4).finish();
  const allocator = new NoExtent(growableHeap());
  const without = replay(trace, allocator);
  expect(without.peakHeapBytes).toBe(0);
  const result = replay(trace, new NoExtent(growableHeap()), { heapBytesOf: (a) => (a as NoExtent).extent() });
  expect(result.peakHeapBytes).toBe(312);
  expect(result.utilization).toBeCloseTo(232 / 312, 12);
  expect(result.timeline.map((p) => p.heapBytes)).toEqual([0, 32, 56, 80, 104, 104, 104, 312, 312]);
});
