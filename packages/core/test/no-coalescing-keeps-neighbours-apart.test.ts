import { expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

it('coalescing "none" never merges free neighbours', () => {
  const heap = heapOf({ coalescing: "none" });
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  const c = heap.malloc(16);
  const d = heap.malloc(16);
  heap.free(a);
  heap.free(c);
  heap.free(b);
  heap.free(d);
  expect(layout(heap)).toEqual([
    [8, 16, true],
    [32, 16, true],
    [56, 16, true],
    [80, 16, true],
    [104, 912, true],
  ]);
  heap.check();
  // Not even a miss merges them: a request larger than each small block is carved from the rest.
  expect(heap.malloc(40)).toBe(112);
  expect(layout(heap).slice(0, 4).every(([, size, free]) => size === 16 && free)).toBe(true);
  heap.check();
});

it('coalescing "none" fails a request that only merged neighbours could serve', () => {
  const heap = heapOf({ size: 104, coalescing: "none" }); // exactly four 24-byte blocks
  const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  expect(ptrs).toEqual([16, 40, 64, 88]);
  for (const p of ptrs) heap.free(p);
  expect(heap.malloc(17)).toBe(0);
  expect(heap.stats()).toMatchObject({ freeBlocks: 4, freeBytes: 96, largestFreeBlock: 16, failedAllocations: 1 });
  heap.check();
});
