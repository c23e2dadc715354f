/**
 * opposite-ends-fit chooses the block best fit chooses and carves small requests (below the running mean of
 * requested sizes) from its high end, large ones from its low end; a small request that misses right after
 * the heap grew for a large one takes a 1 KiB slab (what that does on malloc-lab's shapes:
 * packages/bench/test/opposite-ends-fit-on-course-shapes.test.ts).
 */
import { type BlockInfo, createHeap } from "@dmm/core";
import { oppositeEndsFit } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const growable = (strategy = oppositeEndsFit()) => createHeap({ size: 0, maxSize: 1 << 26, strategy });

describe("opposite-ends-fit", () => {
  it("carves a small request from the high end and a large one from the low end of the same block", () => {
    const heap = createHeap({ size: 4096, strategy: oppositeEndsFit() });
    expect(heap.malloc(400)).toBe(16); // the first request sets the mean (408): not below it, low end
    expect(heap.malloc(16)).toBe(4096 - 24 + 8); // 24 < mean: the top 24 bytes of the free block
    expect(heap.malloc(400)).toBe(16 + 408); // large again: right above the first large one
    heap.check();
  });

  it("grows a 1 KiB slab for a small request that misses after a large growth, and serves the next large one from it", () => {
    const heap = growable();
    const large = heap.malloc(448); // [8, 464)
    const small = heap.malloc(64); // misses: a slab [464, 1488), the small one at its top
    expect(heap.stats().heapBytes).toBe(464 + 1024);
    expect(small).toBe(1488 - 72 + 8);
    expect(heap.malloc(448)).toBe(large + 456); // from the slab's low end, next to the first large block
    expect(heap.stats().heapBytes).toBe(464 + 1024);
    heap.check();
  });

  it("takes no slab after a large block that could not come from one (a buffer reallocated ever larger)", () => {
    const heap = growable();
    heap.malloc(4092);
    heap.malloc(16);
    expect(heap.stats().heapBytes).toBe(8 + 4104 + 24);
  });

  // fast-check prints the seed and the shrunk counterexample on failure.
  it("always uses best fit's block (the smallest that fits, lowest address among equals), at one of its ends", () => {
    const ops = fc.array(fc.oneof(fc.record({ malloc: fc.integer({ min: 1, max: 2000 }) }), fc.record({ free: fc.nat() })), { maxLength: 300 });
    fc.assert(
      fc.property(ops, (list) => {
        const heap = createHeap({ size: 64 * 1024, strategy: oppositeEndsFit() });
        const live: number[] = [];
        for (const op of list) {
          if ("malloc" in op) {
            const need = Math.max(24, (op.malloc + 8 + 7) & ~7);
            let best: BlockInfo | undefined;
            for (const b of heap.walk()) if (b.free && b.size + 8 >= need && (!best || b.size < best.size)) best = b;
            const p = heap.malloc(op.malloc);
            if (!best) {
              expect(p).toBe(0);
              continue;
            }
            const blockBytes = best.size + 8;
            const atHigh = blockBytes - need >= 24 ? best.offset + blockBytes - need + 8 : best.payload;
            expect([best.payload, atHigh]).toContain(p);
            live.push(p);
          } else if (live.length > 0) {
            heap.free(live.splice(op.free % live.length, 1)[0]!);
          }
        }
        heap.check();
      }),
      { numRuns: 100 },
    );
  });
});
