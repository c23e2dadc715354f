import { createHeap } from "@dmm/core";
import { bestFit, firstFit, nextFit, tlsf, worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { expectHeapError, expectSameBytes } from "./helpers.js";
import { rejectsInsertAfter } from "./second-step-rejection.js";

/**
 * Under deferred coalescing a malloc that misses is two steps: the pass merging the runs of free blocks, then the
 * fit found after it (or growth). The pass vets every run before its first merge, but the fit's calls to the
 * strategy are made against the index the pass left, so damage the merges brought onto their path is met only
 * then. The pass is undone and the call changes nothing. Before, the merges stayed (freeBlocks 2 -> 1).
 *
 * The heap (1 KiB, deferred): x = [104, 152) and y = [152, 200) free and adjacent, everything else used. malloc(56)
 * needs 64 bytes: the first find misses, the pass merges x and y into [104, 200), the fit carves 64 bytes from it
 * and the remainder's insert, at 168, is rejected.
 */
describe.each([
  ["first-fit", firstFit],
  ["next-fit", nextFit],
  ["best-fit", bestFit],
  ["worst-fit", worstFit],
])("%s", (_, create) => {
  it("a fit rejected after the pass merged two blocks leaves the heap as it was", () => {
    let finds = 0;
    let mallocing = false;
    const strategy = rejectsInsertAfter(create(), () => 168, () => mallocing && finds >= 2);
    const find = strategy.find;
    strategy.find = (size: number) => {
      if (mallocing) finds++;
      return find(size);
    };
    const heap = createHeap({ size: 1024, coalescing: "deferred", strategy });
    const blocks = [heap.malloc(40), heap.malloc(40), heap.malloc(40), heap.malloc(40), heap.malloc(40)];
    expect(blocks).toEqual([16, 64, 112, 160, 208]);
    heap.malloc(1024 - 8 - 5 * 48 - 8); // the rest of the arena: nothing else is free
    heap.free(112);
    heap.free(160);
    expect(heap.stats().freeBlocks).toBe(2);
    const before = { bytes: heap.memory.slice(), stats: heap.stats() };
    mallocing = true;
    expectHeapError(() => heap.malloc(56), "CORRUPTION");
    mallocing = false;
    expect(strategy.rejected).toBe(1);
    expect(heap.stats()).toEqual(before.stats);
    expectSameBytes(heap.memory, before.bytes);
    heap.check();
    // The rejection off, the same malloc is served from the merged block.
    expect(heap.malloc(56)).toBe(112);
  });
});

it("tlsf: growth after a pass meets the top block's smashed link: reported before the pass merges anything", () => {
  // Growable, deferred: a and b free and adjacent (a run for the pass), x free between used blocks (its 24-byte
  // list is b -> x -> a, which an undone pass would not restore: it puts a and b back at the head), and the top
  // block t free with its previous link overwritten. malloc(1000) misses, and growth would extend t, taking it out
  // of its list, after the pass: the link is vetted before the pass.
  const heap = createHeap({ size: 0, maxSize: 1 << 16, coalescing: "deferred", strategy: tlsf() });
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  heap.malloc(16);
  const x = heap.malloc(16);
  heap.malloc(16);
  const t = heap.malloc(200);
  expect([a, b, x, t]).toEqual([16, 40, 88, 136]);
  heap.free(a);
  heap.free(x);
  heap.free(b);
  heap.free(t);
  new Int32Array(heap.memory.buffer)[(t >> 2) + 1] = 56; // t's previous link (it heads its list): the used block at 56
  const before = { bytes: heap.memory.slice(), stats: heap.stats() };
  expectHeapError(() => heap.malloc(1000), "CORRUPTION");
  expect(heap.stats()).toEqual(before.stats);
  expectSameBytes(heap.memory, before.bytes);
});
