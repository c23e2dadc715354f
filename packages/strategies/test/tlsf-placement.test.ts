/** TLSF placement: good fit from the rounded list, O(1) search with many free blocks, the exact-list fallback. */
import { createHeap } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { tlsf } from "../src/tlsf.js";

/**
 * A heap of holes: blocks of the given sizes (bytes, header included) separated by 32-byte used spacers,
 * then the spacers kept and the holes freed. Returns the heap and each hole's payload pointer.
 */
function holes(sizes: number[], extra = 0) {
  const heap = createHeap({ size: sizes.reduce((n, s) => n + s + 32, 0) + extra + 64, strategy: tlsf() });
  const ptrs = sizes.map((s) => {
    const p = heap.malloc(s - 8);
    heap.malloc(24); // spacer
    return p;
  });
  const rest = heap.malloc(heap.stats().largestFreeBlock);
  for (const p of ptrs) heap.free(p);
  return { heap, ptrs, rest };
}

describe("tlsf placement", () => {
  it("a small request takes the exact-size list's head (LIFO)", () => {
    const { heap, ptrs } = holes([64, 48, 64, 128]);
    expect(heap.malloc(56)).toBe(ptrs[2]); // 64-byte list, last freed first
    expect(heap.malloc(56)).toBe(ptrs[0]);
    expect(heap.lastSearchCost).toBe(1);
    heap.check();
  });

  it("good fit: a request rounds up to the next list, so a block in its own list above it is passed over", () => {
    // 4352 and 4400 both map to list (5, 2) = [4352, 4480); a request of 4360 rounds up to list (5, 3).
    const { heap, ptrs } = holes([4400, 4608, 8192]);
    expect(heap.malloc(4360 - 8)).toBe(ptrs[1]); // 4608 heads the first non-empty list >= (5, 3)
    heap.check();
  });

  it("falls back to the request's own list when no larger list holds a block", () => {
    const { heap, ptrs } = holes([4400, 1024]);
    expect(heap.malloc(4360 - 8)).toBe(ptrs[0]);
    expect(heap.lastSearchCost).toBe(2); // the list, and the one block in it
    expect(heap.malloc(4400)).toBe(0); // nothing fits: no rounding miss, a real failure
    heap.check();
  });

  it("examined stays 1 with thousands of free blocks of every size", () => {
    const sizes: number[] = [];
    for (let i = 0; i < 3000; i++) sizes.push(32 + ((i * 7919) % 400) * 8);
    const { heap } = holes(sizes);
    expect(heap.stats().freeBlocks).toBeGreaterThanOrEqual(3000);
    for (const n of [16, 100, 500, 1000, 2000, 3000]) {
      const p = heap.malloc(n);
      expect(p).not.toBe(0);
      expect(heap.lastSearchCost).toBe(1);
      heap.free(p);
    }
    heap.check();
  });

  it("largest() is the largest free block, from the highest non-empty list", () => {
    const { heap } = holes([4400, 4352, 1024]);
    expect(heap.stats().largestFreeBlock).toBe(4400 - 8);
  });

  it("check() names a block indexed in the wrong list", () => {
    // The strategy alone, over a hand-made host: one free 64-byte block at 8, then its size changes behind
    // the index's back (as a stray write would), so it sits in the 64-byte list with a 72-byte size.
    const words = new Int32Array(64);
    const host = { words, marks: new Int32Array(2), minBlockSize: 24, alignment: 8, base: 8, top: 8 + 64, isFreeBlock: (b: number) => b === 8 };
    const s = tlsf();
    s.attach(host);
    words[8 >> 2] = 64;
    s.insert(8);
    s.check!();
    expect(s.largest!()).toBe(64);
    words[8 >> 2] = 72;
    expect(() => s.check!()).toThrow("block 8: block size 72 indexed in wrong list 0/8");
  });
});
