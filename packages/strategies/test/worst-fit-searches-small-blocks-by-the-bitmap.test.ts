/**
 * Worst fit keeps its free blocks in best fit's index (best-fit.ts): below 16 KiB in exact-size bins under a bitmap
 * with a summary bit per bitmap word, above in a (size, address) treap. With no block of 16 KiB or more free, the
 * largest block is the lowest address of the highest non-empty bin: one probe of the bitmap, however many blocks
 * are free (a treap of them all walked its right spine and a descent below it: a dozen nodes at 2000 blocks).
 * The choice itself is held to an exhaustive scan by placement-matches-exhaustive-scan.test.ts.
 */
import { createHeap } from "@dmm/core";
import { worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";

describe("worst fit among many small free blocks", () => {
  it("examines one bitmap probe per malloc, not a path through the free blocks", () => {
    const heap = createHeap({ size: 1 << 22, coalescing: "none", strategy: worstFit() });
    const ptrs: number[] = [];
    // Fill the arena with blocks of ~100 different sizes below 4 KiB, then free every other one: no free
    // neighbours merge, so ~1000 free blocks of many sizes are left, the largest sizes repeated.
    for (let i = 0; ; i++) {
      const p = heap.malloc(8 + ((i * 37) % 100) * 40);
      if (p === 0) break;
      ptrs.push(p);
    }
    for (let i = 0; i < ptrs.length; i += 2) heap.free(ptrs[i]!);
    const free = [...heap.walk()].filter((b) => b.free);
    expect(free.length).toBeGreaterThan(1000);
    expect(Math.max(...free.map((b) => b.size))).toBeLessThan(16384);
    const costs: number[] = [];
    for (let k = 0; k < 50; k++) {
      const largest = [...heap.walk()].filter((b) => b.free).reduce((a, b) => (b.size > a.size ? b : a));
      expect(heap.malloc(16)).toBe(largest.payload);
      costs.push(heap.lastSearchCost);
    }
    expect(costs).toEqual(Array.from({ length: 50 }, () => 1));
    heap.check();
  });
});
