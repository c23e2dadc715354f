import { expect, it } from "vitest";
import { fill, heapOf, holds, layout } from "./helpers.js";

it("realloc moves a block that cannot grow in place and keeps its contents", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  heap.malloc(16); // [32, 56): a cannot grow in place
  fill(heap, a, 16, 5);
  const moved = heap.realloc(a, 100); // 112 bytes from the rest at 56
  expect(moved).toBe(64);
  expect(holds(heap, moved, 16, 5)).toBe(true);
  expect(layout(heap)).toEqual([
    [8, 16, true],
    [32, 16, false],
    [56, 104, false],
    [168, 848, true],
  ]);
  expect(heap.stats()).toMatchObject({ liveBytes: 116, usedBlocks: 2 });
  heap.check();
});

it("a move to a smaller block copies only what fits (realloc never shrinks by moving, so grow then compare)", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  const a = heap.malloc(40);
  heap.malloc(8);
  fill(heap, a, 40, 11);
  const moved = heap.realloc(a, 41); // 48 + 8 > 48: moves, copies all 40 old bytes
  expect(moved).not.toBe(a);
  expect(holds(heap, moved, 40, 11)).toBe(true);
  heap.check();
});
