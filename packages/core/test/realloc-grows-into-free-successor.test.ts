import { expect, it } from "vitest";
import { fill, heapOf, holds, layout } from "./helpers.js";

it("realloc grows in place into a free successor and splits off what it does not need", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(64); // [32, 104)
  heap.malloc(16); // [104, 128), keeps b's block away from the free rest
  fill(heap, a, 16, 1);
  heap.free(b);
  const grown = heap.realloc(a, 40); // needs 48 of the 24 + 72 = 96 bytes: the last 48 stay free
  expect(grown).toBe(a);
  expect(heap.usableSize(a)).toBe(40);
  expect(holds(heap, a, 16, 1)).toBe(true);
  expect(layout(heap)).toEqual([
    [8, 40, false],
    [56, 40, true],
    [104, 16, false],
    [128, 888, true],
  ]);
  heap.check();
});

it("realloc takes the whole successor when the rest could not be a block", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  heap.malloc(16);
  heap.free(b);
  expect(heap.realloc(a, 24)).toBe(a); // needs 32 of 48: 16 left over is below the 24-byte minimum
  expect(heap.usableSize(a)).toBe(40);
  expect(layout(heap).slice(0, 2)).toEqual([
    [8, 40, false],
    [56, 16, false],
  ]);
  expect(heap.stats().liveBytes).toBe(24 + 16);
  heap.check();
});
