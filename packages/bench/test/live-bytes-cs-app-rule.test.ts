import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

it("a adds the size, r adds new - old, f subtracts the size, c adds count x size (mdriver's total_size)", () => {
  const trace = new TraceBuilder()
    .malloc(0, 100) //     100
    .realloc(0, 300) //    300
    .calloc(1, 10, 8) //   380  <- peak
    .realloc(0, 50) //     130
    .free(1) //             50
    .realloc(0, 0) //        0 (realloc(p, 0) frees)
    .finish();
  const result = replay(trace, growableHeap(), { timelinePoints: 100 });
  expect(result.peakLiveBytes).toBe(380);
  expect(result.timeline.map((p) => p.liveBytes)).toEqual([0, 100, 300, 380, 130, 50, 0]);
});

it("a zero-byte block that the allocator answers with NULL is live, not a failure", () => {
  class NullForZero extends ForwardingAllocator {
    override malloc(size: number) {
      return size === 0 ? 0 : this.inner.malloc(size);
    }
  }
  const nullForZero = new NullForZero(growableHeap());
  const trace = new TraceBuilder().malloc(0, 0).realloc(0, 24).free(0).finish();
  const result = replay(trace, nullForZero);
  expect(result.failures).toEqual({ outOfMemory: 0, fragmented: 0 });
  expect(result.peakLiveBytes).toBe(24);
});
