import { expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

it("free merges a block sandwiched between two free blocks into one", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  const c = heap.malloc(16); // [56, 80)
  heap.malloc(16); // [80, 104), keeps c away from the free rest
  heap.free(a);
  heap.free(c);
  expect(heap.stats().freeBlocks).toBe(3);
  heap.free(b); // [8, 32) + [32, 56) + [56, 80) = one block of 72 bytes, payload 64
  expect(layout(heap)).toEqual([
    [8, 64, true],
    [80, 16, false],
    [104, 912, true],
  ]);
  expect(heap.stats().freeBlocks).toBe(2);
  heap.check();
  expect(heap.malloc(64)).toBe(16); // the merged block serves a request none of the three could
});
