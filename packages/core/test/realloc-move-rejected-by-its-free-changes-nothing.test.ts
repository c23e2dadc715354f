import { createHeap, type HeapOptions } from "@dmm/core";
import { bestFit, firstFit, nextFit, worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { expectHeapError, expectSameBytes, fill, holds } from "./helpers.js";
import { rejectsInsertAfter } from "./second-step-rejection.js";

/**
 * A realloc that must move is two steps: malloc the new block, free the old one. The free is vetted before the
 * malloc, but the malloc's changes to the index can bring damage onto the free's path (a smashed link in a
 * subtree the malloc's insert re-parented), so the free may still be rejected after the malloc. Then the malloc
 * is undone and the call changes nothing: the same bytes (the new block's too: the copy comes after the free),
 * the same stats, p still live with its data. Before, the new block was freed again, which left the free blocks
 * rearranged and the copied bytes behind.
 *
 * The heap: p = [8, 56) (40 bytes), a used guard above it, then the rest free; realloc(p, 200) must move, into
 * the free block above the guard (or, growable, grown at the top). The free of p is rejected once the malloc has
 * run (the realloc's call of the strategy's find arms the rejection, after free's vetting passed).
 */
describe.each([
  ["first-fit", firstFit],
  ["next-fit", nextFit],
  ["best-fit", bestFit],
  ["worst-fit", worstFit],
])("%s", (_, create) => {
  it.each<[string, Omit<HeapOptions, "strategy">]>([
    ["a fixed arena", { size: 1024 }],
    ["a growable heap that grows for the new block", { size: 0, maxSize: 4096 }],
    ["deferred coalescing, after a pass", { size: 1024, coalescing: "deferred" }],
  ])("%s: a moving realloc whose free is rejected after its malloc leaves the heap as it was", (_, options) => {
    let armed = false;
    let reallocating = false;
    let p = 0;
    const inner = create();
    const strategy = rejectsInsertAfter(inner, () => p - 8, () => armed);
    const originalFind = strategy.find;
    strategy.find = (size: number) => {
      if (reallocating) armed = true;
      return originalFind(size);
    };
    const heap = createHeap({ strategy, ...options });
    p = heap.malloc(40);
    const guard = heap.malloc(40);
    expect([p, guard]).toEqual([16, 64]);
    let request = 200;
    if (options.coalescing === "deferred") {
      // Two adjacent free blocks of 48 bytes above the guard and nothing else free: the realloc's malloc of 88
      // bytes misses, and its pass merges the two into the block it then carves.
      const x = heap.malloc(40);
      const y = heap.malloc(40);
      heap.malloc(1024 - 8 - 4 * 48 - 8);
      heap.free(x);
      heap.free(y);
      expect(heap.stats().freeBlocks).toBe(2);
      request = 80;
    }
    fill(heap, p, 40, 7);
    const before = { bytes: heap.memory.slice(), stats: heap.stats() };
    reallocating = true;
    expectHeapError(() => heap.realloc(p, request), "CORRUPTION");
    reallocating = false;
    expect(strategy.rejected).toBeGreaterThan(0);
    expect(heap.stats()).toEqual(before.stats);
    expectSameBytes(heap.memory, before.bytes);
    armed = false;
    p = 0; // the rejection off: the heap is sound and p is still the live block it was
    heap.check();
    expect(holds(heap, 16, 40, 7)).toBe(true);
    expect(heap.usableSize(16)).toBe(40);
  });
});
