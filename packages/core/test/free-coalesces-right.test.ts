import { expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

it("free merges a block with its free right neighbour", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  heap.malloc(16); // [56, 80), keeps b away from the free rest
  heap.free(b);
  heap.free(a); // a absorbs b: one block [8, 56)
  expect(layout(heap)).toEqual([
    [8, 40, true],
    [56, 16, false],
    [80, 936, true],
  ]);
  heap.check();
});

it("free of the last used block merges it with the free rest of the arena", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  heap.free(b);
  expect(layout(heap)).toEqual([
    [8, 16, false],
    [32, 984, true],
  ]);
  heap.free(a);
  expect(layout(heap)).toEqual([[8, 1008, true]]);
  heap.check();
});
