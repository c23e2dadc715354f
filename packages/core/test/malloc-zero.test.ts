import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("malloc(0) returns a distinct, freeable pointer to a minimum block", () => {
  const heap = heapOf();
  const a = heap.malloc(0);
  const b = heap.malloc(0);
  expect([a, b]).toEqual([16, 40]); // 24-byte minimum blocks
  expect(heap.usableSize(a)).toBe(16);
  expect(heap.stats().liveBytes).toBe(0);
  heap.free(a);
  heap.free(b);
  expect(heap.stats().usedBlocks).toBe(0);
  heap.check();
});
