import { expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

it("free merges a block with its free left neighbour", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  const c = heap.malloc(16); // [56, 80), keeps b away from the free rest
  expect([a, b, c]).toEqual([16, 40, 64]);
  heap.free(a);
  expect(layout(heap)[0]).toEqual([8, 16, true]);
  heap.free(b); // b's PREV_FREE bit and a's footer lead back to a: one block [8, 56)
  expect(layout(heap)).toEqual([
    [8, 40, true],
    [56, 16, false],
    [80, 936, true],
  ]);
  expect(heap.stats().freeBlocks).toBe(2);
  heap.check();
});
