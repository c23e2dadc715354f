import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

// a = malloc(10): 24-byte block [8, 32); b = malloc(100): 112 bytes [32, 144); c = malloc(50): 64 bytes [144, 208).
// Then free(b) and one request too large for the heap.
function scenario(heap: ReturnType<typeof heapOf>) {
  heap.malloc(10);
  const b = heap.malloc(100);
  heap.malloc(50);
  heap.free(b);
  expect(heap.malloc(5000)).toBe(0);
}

it("every stats field on a fixed arena", () => {
  const heap = heapOf();
  scenario(heap);
  expect(heap.stats()).toEqual({
    heapBytes: 1024, // the arena
    peakHeapBytes: 1024,
    liveBytes: 60, // 10 + 50
    peakLiveBytes: 160, // 10 + 100 + 50 before free(b)
    usedBlocks: 2,
    usedBytes: 88, // 24 + 64
    freeBlocks: 2, // b's hole and the rest [208, 1024)
    freeBytes: 928, // 112 + 816
    largestFreeBlock: 808, // the rest's payload: 816 - 8
    failedAllocations: 1,
  });
  heap.check();
});

it("every stats field on a growable heap", () => {
  const heap = heapOf({ size: 0, maxSize: 1024 });
  scenario(heap);
  expect(heap.stats()).toEqual({
    heapBytes: 208, // 8 bytes before the first block, then 24 + 112 + 64
    peakHeapBytes: 208,
    liveBytes: 60,
    peakLiveBytes: 160,
    usedBlocks: 2,
    usedBytes: 88,
    freeBlocks: 1,
    freeBytes: 112,
    largestFreeBlock: 104,
    failedAllocations: 1,
  });
  heap.check();
});

it("lastSearchCost reports the free blocks the strategy examined", () => {
  const heap = heapOf();
  heap.malloc(8);
  expect(heap.lastSearchCost).toBeGreaterThanOrEqual(1);
});
