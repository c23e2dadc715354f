/**
 * first-fit-lifo answers largest() itself, so stats() (called by every replay sample and every failed request)
 * does not walk the whole heap: the answer is kept as blocks enter the list and recomputed from the free list
 * after the largest one left it. The property test in check-after-every-op.test.ts compares it with walk()
 * after random operations; this one follows the largest block in and out of the list.
 */
import { firstFitLifo } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { HEADER, heapWithHoles } from "./support/holes.js";

describe("first-fit-lifo largest()", () => {
  it("follows the largest free block as it is taken, freed and split", () => {
    const strategy = firstFitLifo();
    // Holes of 504, 104, 1000 and 104 bytes, freed in address order: the list is 104, 1000, 104, 504.
    const { heap, holes } = heapWithHoles(strategy, [504, 104, 1000, 104]);
    expect(strategy.largest!()).toBe(1000);
    const whole = heap.malloc(1000 - HEADER); // takes the 1000-byte hole whole
    expect(whole - HEADER).toBe(holes[2]);
    expect(strategy.largest!()).toBe(504);
    expect(heap.stats().largestFreeBlock).toBe(504 - HEADER);
    heap.free(whole);
    expect(strategy.largest!()).toBe(1000);
    heap.malloc(400); // from the 1000-byte hole at the head: 408 bytes used, a 592-byte remainder pushed at the head
    expect(strategy.largest!()).toBe(592);
    let scanned = 0;
    for (const b of heap.walk()) if (b.free && b.size > scanned) scanned = b.size;
    expect(heap.stats().largestFreeBlock).toBe(scanned);
    heap.check();
  });

  it("is 0 for an empty list", () => {
    const strategy = firstFitLifo();
    const { heap } = heapWithHoles(strategy, []);
    expect(strategy.largest!()).toBe(0);
    expect(heap.stats().largestFreeBlock).toBe(0);
  });
});
