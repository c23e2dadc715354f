/**
 * The seam a two-ended policy uses: a strategy may ask for its block carved from the HIGH end of the free block
 * it chose (carveHigh, set by find) and, when nothing fits, for more growth than the request needs (growBy).
 * Split, coalescing and the checker are the core's and must hold for both ends.
 */
import { createHeap, type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { opArbitrary, runOps } from "./random-ops.js";

/** First fit whose find asks for the high end when `high(size)`, and whose growth is `growBy(need)`. */
function twoEnded(high: (size: number) => boolean, growBy?: (need: number) => number): Strategy {
  const inner = firstFit();
  const s: Strategy = {
    name: "two-ended",
    examined: 0,
    carveHigh: false,
    attach: (host) => inner.attach(host),
    insert: (block) => inner.insert(block),
    remove: (block) => inner.remove(block),
    find(size) {
      const block = inner.find(size);
      s.examined = inner.examined;
      s.carveHigh = high(size);
      return block;
    },
    forEach: (visit) => inner.forEach(visit),
    check: () => inner.check?.(),
    ...(growBy && { growBy }),
  };
  return s;
}

describe("carveHigh", () => {
  it("puts the block at the high end of the chosen free block, the remainder staying free at its address", () => {
    const heap = createHeap({ size: 1024, strategy: twoEnded(() => true) });
    // One free block [8, 1024); 100 bytes need a 112-byte block: [912, 1024), payload 920.
    expect(heap.malloc(100)).toBe(920);
    expect(heap.dump()).toBe("Block at: 8 Size: 896 [FREE]\nBlock at: 912 Size: 104 [USED]");
    heap.check();
    // The next one comes from the remainder's high end, right below.
    expect(heap.malloc(16)).toBe(896);
    heap.check();
  });

  it("takes a block whole when the rest could not be a block, as the low end does", () => {
    const heap = createHeap({ size: 1024, strategy: twoEnded(() => true) });
    expect(heap.malloc(1000)).toBe(16); // 1008 of 1016 bytes: the 8 left cannot be a block
    expect(heap.stats().freeBlocks).toBe(0);
    heap.check();
  });

  it("frees a high-end block back into its free neighbours (immediate) or leaves them apart (none)", () => {
    for (const coalescing of ["immediate", "none"] as const) {
      const heap = createHeap({ size: 1024, strategy: twoEnded((size) => size < 64), coalescing });
      const low = heap.malloc(200); // large: low end, [8, 216)
      const high = heap.malloc(16); // small: high end, [1000, 1024)
      expect([low, high]).toEqual([16, 1008]);
      heap.free(high);
      heap.check();
      heap.free(low);
      heap.check();
      expect(heap.stats().freeBlocks).toBe(coalescing === "immediate" ? 1 : 3);
    }
  });

  // fast-check prints the seed and the shrunk counterexample on failure.
  it.each(["immediate", "deferred", "none"] as const)("random operations with both ends, %s: the model holds after every op", (coalescing) => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 120, size: "max" }), fc.boolean(), (ops, growable) => {
        runOps(ops, { strategy: () => twoEnded((size) => (size & 16) !== 0, (need) => (need & 8 ? 3 * need : need)), coalescing, alignment: 8, growable });
      }),
      { numRuns: 100 },
    );
  });
});

describe("growBy", () => {
  it("grows by what the strategy asks; the rest stays free at the top and counts in heapBytes", () => {
    const heap = createHeap({ size: 0, maxSize: 1 << 20, strategy: twoEnded(() => false, () => 1000) });
    expect(heap.malloc(100)).toBe(16); // [8, 120) used, the slab's rest [120, 1008) free
    expect(heap.stats()).toMatchObject({ heapBytes: 1008, freeBlocks: 1, freeBytes: 888 });
    expect(heap.malloc(100)).toBe(128); // from the slab: no growth
    expect(heap.stats().heapBytes).toBe(1008);
    heap.check();
  });

  it("extends a free block at the top by what the strategy asks, aligned", () => {
    const heap = createHeap({ size: 0, maxSize: 1 << 20, strategy: twoEnded(() => false, (need) => need + 101) });
    const a = heap.malloc(100); // 112 + 101 -> 216: [8, 224), 104 free at the top
    expect(heap.stats().heapBytes).toBe(224);
    heap.malloc(200); // 208 > 104: the top block grows to 208 + 101 -> 312
    expect(heap.stats().heapBytes).toBe(120 + 312);
    heap.free(a);
    heap.check();
  });

  it("never grows by less than the request, and by exactly the request where maxSize forbids more", () => {
    const shy = createHeap({ size: 0, maxSize: 1 << 20, strategy: twoEnded(() => false, () => 1) });
    shy.malloc(100);
    expect(shy.stats().heapBytes).toBe(120);
    const capped = createHeap({ size: 0, maxSize: 200, strategy: twoEnded(() => false, () => 4096) });
    expect(capped.malloc(100)).toBe(16);
    expect(capped.stats().heapBytes).toBe(120);
    capped.check();
  });
});
