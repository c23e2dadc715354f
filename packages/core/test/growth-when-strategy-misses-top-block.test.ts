import { createHeap, type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { layout } from "./helpers.js";

/**
 * A policy may miss a free block that fits: TLSF rounds a request up to its size class and searches from the
 * next class, so a free block of 112 bytes does not serve a 100-byte class search. Here: a strategy that
 * never finds anything. The heap must then grow, and when the free block at the top is already big enough it
 * must use it, not "extend" it by a negative amount.
 */
function blind(): Strategy {
  const inner = firstFit();
  return {
    name: "blind",
    examined: 0,
    attach: (h) => inner.attach(h),
    insert: (b) => inner.insert(b),
    remove: (b) => inner.remove(b),
    find: () => 0,
    forEach: (v) => inner.forEach(v),
  };
}

it("growth uses a free top block that already fits when the strategy missed it", () => {
  const heap = createHeap({ size: 0, maxSize: 1 << 20, strategy: blind() });
  const a = heap.malloc(100); // [8, 120)
  heap.free(a); // the free top block, 112 bytes
  expect(heap.malloc(16)).toBe(16); // served from the top block, split: no growth
  expect(layout(heap)).toEqual([
    [8, 16, false],
    [32, 80, true],
  ]);
  expect(heap.stats().heapBytes).toBe(120);
  heap.check();
  expect(heap.malloc(200)).toBe(40); // the free top block (88 bytes) grows by 120 to 208
  expect(heap.stats().heapBytes).toBe(240);
  heap.check();
});
