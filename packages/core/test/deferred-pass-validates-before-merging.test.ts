import { expect, it } from "vitest";
import { expectHeapError, expectSameBytes, heapOf } from "./helpers.js";

/**
 * A deferred-coalescing malloc that misses runs the merge pass. Two runs of free blocks, the second with a
 * zeroed header: the pass must report CORRUPTION before it merges anything. Before, it merged the first run
 * (freeBlocks 5 → 4) and then threw on reaching the second: a rejected call that changed the heap.
 */
it("a damaged header in a later run is reported before the first run is merged", () => {
  const heap = heapOf({ size: 8 + 24 * 8, coalescing: "deferred" }); // exactly eight 24-byte blocks
  const p = Array.from({ length: 8 }, () => heap.malloc(16));
  expect(p.every((x) => x !== 0)).toBe(true);
  heap.free(p[0]!);
  heap.free(p[1]!); // run 1: p0 p1
  heap.free(p[3]!);
  heap.free(p[4]!); // run 2: p3 p4
  heap.free(p[6]!);
  expect(heap.stats().freeBlocks).toBe(5);
  heap.memory.fill(0, p[4]! - 8, p[4]!); // p4's header zeroed
  const before = { bytes: heap.memory.slice(), stats: heap.stats() };
  expectHeapError(() => heap.malloc(40), "CORRUPTION"); // no 48-byte block: the pass runs
  expect(heap.stats()).toEqual(before.stats);
  expectSameBytes(heap.memory, before.bytes);
});
