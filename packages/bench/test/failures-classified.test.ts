import { replay } from "@dmm/bench";
import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";

it("splits NULL returns in a fixed arena into fragmented (enough free bytes) and out of memory", () => {
  // A 128-byte arena: one free block [8,128) of 120 bytes.
  const trace = new TraceBuilder()
    .malloc(0, 16) // [8,32)
    .malloc(1, 16) // [32,56)
    .malloc(2, 16) // [56,80); free: [80,128) = 48
    .free(1) //       free: [32,56) 24 + [80,128) 48 = 72 bytes, largest block 48
    .malloc(3, 60) // needs a 72-byte block: none; 72 free bytes >= 60  -> fragmented
    .malloc(4, 100) // 72 free bytes < 100                              -> out of memory
    .free(3) //       skipped: id 3 failed
    .realloc(4, 50) // skipped: id 4 failed
    .free(4) //       skipped
    .malloc(5, 30) // a 40-byte block fits in [80,128)
    .free(5).free(0).free(2)
    .finish();
  const heap = createHeap({ size: 128, strategy: firstFit() });
  const result = replay(trace, heap, { checkEvery: 1 });
  expect(result.failures).toEqual({ fragmented: 1, outOfMemory: 1 });
  expect(heap.stats().failedAllocations).toBe(2);
  expect(result.peakLiveBytes).toBe(62); // ids 0, 2 and 5: 16 + 16 + 30
  expect(result.peakHeapBytes).toBe(128);
  expect(result.timeline.at(-1)).toMatchObject({ liveBytes: 0, freeBlocks: 1 });
});
