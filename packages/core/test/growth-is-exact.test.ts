import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("a growable heap starts empty and grows by exactly what each request needs", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  expect(heap.stats()).toMatchObject({ heapBytes: 0, peakHeapBytes: 0, freeBlocks: 0 });
  expect(heap.malloc(16)).toBe(16); // block [8, 32): offset 0 is NULL, so the heap spans 32 bytes
  expect(heap.stats().heapBytes).toBe(32);
  const b = heap.malloc(100); // 112 bytes
  expect(heap.stats().heapBytes).toBe(144);
  heap.free(b); // the top block is free now
  expect(heap.malloc(200)).toBe(b); // the free top block grows from 112 to 208: 96 more
  expect(heap.stats()).toMatchObject({ heapBytes: 240, peakHeapBytes: 240, freeBlocks: 0 });
  heap.check();
});

it("freeing never shrinks heapBytes and peakHeapBytes keeps the high-water mark", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  const ptrs = [heap.malloc(100), heap.malloc(100), heap.malloc(100)];
  for (const p of ptrs) heap.free(p);
  expect(heap.stats()).toMatchObject({ heapBytes: 8 + 3 * 112, peakHeapBytes: 8 + 3 * 112, freeBlocks: 1 });
  expect(heap.malloc(300)).toBe(16); // fits in the merged free space: no growth
  expect(heap.stats().peakHeapBytes).toBe(8 + 3 * 112);
  heap.check();
});

it("a heap that starts small uses its arena before growing", () => {
  const heap = heapOf({ size: 64, maxSize: 4096 });
  expect(heap.stats().heapBytes).toBe(64); // one free block [8, 64)
  expect(heap.malloc(40)).toBe(16); // 48 of the 56 bytes: taken whole
  expect(heap.stats().heapBytes).toBe(64);
  expect(heap.malloc(16)).toBe(72); // a new 24-byte block at the top, 64
  expect(heap.stats().heapBytes).toBe(88);
  heap.check();
});

it("growth stops at maxSize: NULL, counted as a failure", () => {
  const heap = heapOf({ size: 0, maxSize: 128 });
  expect(heap.malloc(100)).toBe(16); // [8, 120)
  expect(heap.malloc(8)).toBe(0); // 120 + 24 > 128
  expect(heap.stats()).toMatchObject({ heapBytes: 120, failedAllocations: 1 });
  heap.check();
});

it("alignment 64 grows in 64-byte steps after a 56-byte lead-in", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20, alignment: 64 });
  expect(heap.malloc(1)).toBe(64);
  expect(heap.stats().heapBytes).toBe(120);
  expect(heap.malloc(100)).toBe(128); // 108 -> 128
  expect(heap.stats().heapBytes).toBe(248);
  heap.check();
});
