import { createHeap, type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

// A header zeroed by an overflow reads as a block of 0 bytes: a walk that trusts it never advances.

it("deferred coalescing walks the heap on a miss: a zeroed header is CORRUPTION, not an endless loop", () => {
  const heap = heapOf({ coalescing: "deferred" });
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  const c = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  heap.free(b);
  heap.memory.fill(0, c + 16, c + 24); // zero the next block's header
  expectHeapError(() => heap.malloc(2000), "CORRUPTION"); // no fit: the heap coalesces, finds the damage
});

it("stats() with a strategy that cannot report its largest block scans safely", () => {
  const inner = firstFit();
  const noLargest: Strategy = {
    name: "no-largest",
    examined: 0,
    attach: (h) => inner.attach(h),
    insert: (b) => inner.insert(b),
    remove: (b) => inner.remove(b),
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
  };
  const heap = createHeap({ size: 1024, strategy: noLargest });
  const a = heap.malloc(16);
  heap.malloc(16);
  expect(heap.stats().largestFreeBlock).toBe(1024 - 56 - 8);
  heap.memory.fill(0, a + 16, a + 24);
  expectHeapError(() => heap.stats(), "CORRUPTION");
});
