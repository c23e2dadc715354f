import { expect, it } from "vitest";
import { expectHeapError, expectSameBytes, heapOf } from "./helpers.js";

/**
 * realloc that must move is malloc + copy + free. The free block below the old block has a damaged header:
 * free would reject it. That must be found before the malloc, or the rejected realloc leaves a new block behind
 * (usedBlocks 2 → 3).
 */
it("a damaged free block below is reported before a new block is allocated", () => {
  const heap = heapOf({ size: 4096 });
  const a = heap.malloc(40);
  const p = heap.malloc(40);
  heap.malloc(40); // p cannot grow in place
  heap.free(a); // p's PREV_FREE is set: free(p) would merge with a
  new DataView(heap.memory.buffer).setInt32(a - 8, 8, true); // a's header: an impossible size
  const before = { bytes: heap.memory.slice(), stats: heap.stats() };
  expectHeapError(() => heap.realloc(p, 400), "CORRUPTION");
  expect(heap.stats()).toEqual(before.stats);
  expectSameBytes(heap.memory, before.bytes);
});
