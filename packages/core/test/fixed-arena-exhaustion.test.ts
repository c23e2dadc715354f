import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("a fixed arena returns NULL once full and counts each failure", () => {
  const heap = heapOf({ size: 104 }); // exactly four 24-byte blocks
  const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  expect(ptrs).toEqual([16, 40, 64, 88]);
  expect(heap.malloc(1)).toBe(0);
  expect(heap.malloc(5000)).toBe(0);
  expect(heap.calloc(1, 1)).toBe(0);
  expect(heap.stats()).toMatchObject({ heapBytes: 104, peakHeapBytes: 104, failedAllocations: 3, freeBlocks: 0 });
  heap.free(ptrs[2]!);
  expect(heap.malloc(16)).toBe(64); // space freed is space again
  heap.check();
});

it("a request larger than the arena is NULL, not an error", () => {
  const heap = heapOf();
  expect(heap.malloc(1009)).toBe(0); // 1017 + 8 rounding > 1016
  expect(heap.malloc(2 ** 40)).toBe(0);
  expect(heap.stats().failedAllocations).toBe(2);
  heap.check();
});

it("an arena too small for one block is empty and fails every request", () => {
  const heap = heapOf({ size: 31 }); // 8 + 24 > 31
  expect(heap.stats()).toMatchObject({ heapBytes: 31, freeBlocks: 0 });
  expect(heap.malloc(0)).toBe(0);
  expect(heap.dump()).toBe("");
  heap.check();
});
