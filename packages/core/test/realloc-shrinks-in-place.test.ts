import { expect, it } from "vitest";
import { fill, heapOf, holds, layout } from "./helpers.js";

it("realloc shrinks in place and frees the tail as a new block", () => {
  const heap = heapOf();
  const a = heap.malloc(200); // [8, 216)
  heap.malloc(16); // [216, 240)
  fill(heap, a, 200, 9);
  expect(heap.realloc(a, 16)).toBe(a); // keeps [8, 32); the tail [32, 216) becomes free
  expect(holds(heap, a, 16, 9)).toBe(true);
  expect(heap.usableSize(a)).toBe(16);
  expect(layout(heap)).toEqual([
    [8, 16, false],
    [32, 176, true],
    [216, 16, false],
    [240, 776, true],
  ]);
  expect(heap.stats().liveBytes).toBe(16 + 16);
  heap.check();
});

it("the freed tail merges with a free successor", () => {
  const heap = heapOf();
  const a = heap.malloc(200);
  const b = heap.malloc(16);
  heap.free(b);
  expect(heap.realloc(a, 16)).toBe(a);
  expect(layout(heap)).toEqual([
    [8, 16, false],
    [32, 984, true],
  ]);
  heap.check();
});

it("a shrink that would leave less than a block keeps the block whole", () => {
  const heap = heapOf();
  const a = heap.malloc(200); // 208 bytes
  expect(heap.realloc(a, 190)).toBe(a); // needs 200: 8 spare bytes cannot be a block
  expect(heap.usableSize(a)).toBe(200);
  expect(heap.stats().liveBytes).toBe(190);
  heap.check();
});
