import { expect, it } from "vitest";
import { fill, heapOf, holds, layout } from "./helpers.js";

it("realloc of the last block extends the heap top by exactly what it needs", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  const a = heap.malloc(16); // [8, 32)
  fill(heap, a, 16, 7);
  expect(heap.stats().heapBytes).toBe(32);
  expect(heap.realloc(a, 100)).toBe(a); // 112 bytes: the top moves from 32 to 120
  expect(heap.usableSize(a)).toBe(104);
  expect(holds(heap, a, 16, 7)).toBe(true);
  expect(layout(heap)).toEqual([[8, 104, false]]);
  expect(heap.stats()).toMatchObject({ heapBytes: 120, peakHeapBytes: 120, usedBytes: 112, freeBlocks: 0 });
  heap.check();
});

it("realloc absorbs a free block at the top and extends the heap by the difference", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  fill(heap, a, 16, 3);
  heap.free(b);
  expect(heap.realloc(a, 100)).toBe(a); // 112 = 24 + 24 + 64 more: top 56 -> 120
  expect(holds(heap, a, 16, 3)).toBe(true);
  expect(layout(heap)).toEqual([[8, 104, false]]);
  expect(heap.stats()).toMatchObject({ heapBytes: 120, freeBlocks: 0, freeBytes: 0 });
  heap.check();
});

it("realloc moves the block when maxSize forbids extending the top", () => {
  const heap = heapOf({ size: 0, maxSize: 100 });
  const a = heap.malloc(16);
  expect(heap.realloc(a, 100)).toBe(0);
  expect(heap.usableSize(a)).toBe(16);
  expect(heap.stats()).toMatchObject({ heapBytes: 32, failedAllocations: 1 });
  heap.check();
});
