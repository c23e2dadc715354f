import { describe, expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

// A 1 KiB arena with 8-byte alignment: the first block starts at 8 (offset 0 is NULL) and spans 1016 bytes.
// A block is an 8-byte header plus the payload rounded up to 8, and at least 24 bytes.
describe("malloc splits the chosen free block", () => {
  it("carves the request from the low end and leaves the rest free", () => {
    const heap = heapOf();
    expect(layout(heap)).toEqual([[8, 1008, true]]);
    const a = heap.malloc(16); // block 24 bytes: [8, 32)
    expect(a).toBe(16);
    expect(layout(heap)).toEqual([
      [8, 16, false],
      [32, 984, true],
    ]);
    const b = heap.malloc(100); // 100 + 8 rounded up to 8 = 112 bytes: [32, 144)
    expect(b).toBe(a + 24);
    expect(heap.usableSize(b)).toBe(104);
    expect(layout(heap)).toEqual([
      [8, 16, false],
      [32, 104, false],
      [144, 872, true],
    ]);
    heap.check();
  });

  it("hands out the whole block when the remainder could not be a block", () => {
    const heap = heapOf();
    const p = heap.malloc(1000); // needs 1008 of 1016 bytes: the 8 left over are too small for a block
    expect(p).toBe(16);
    expect(heap.usableSize(p)).toBe(1008);
    expect(layout(heap)).toEqual([[8, 1008, false]]);
    expect(heap.stats().freeBlocks).toBe(0);
    heap.check();
  });
});
