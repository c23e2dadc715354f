/**
 * first-fit-lifo keeps one word in each free block's payload: its stamp, the list slot it holds. A buffer overflow
 * can overwrite it; the removal that reads it checks it (the slot must hold that block), so a forged stamp is
 * CORRUPTION, never a RangeError or another block's slot emptied, and the heap is as it was: still checkable once
 * the stamp is put back. check() names it too.
 */
import { getLink, setLink } from "@dmm/core";
import { firstFitLifo } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { heapWithHoles } from "./support/holes.js";

const corruption = expect.objectContaining({ code: "CORRUPTION" });

describe("first-fit-lifo's forged stamp", () => {
  it.each([
    ["another block's slot", 0],
    ["a slot past the head", 99],
    ["a huge slot", 0x7fffffff],
    ["a negative slot", -1],
  ])("naming %s is CORRUPTION for the malloc that takes the block, and the heap is unchanged", (_, stamp) => {
    // Holes freed in address order: hole 2 heads the list (slot 2), hole 0 is slot 0.
    const { heap, holes } = heapWithHoles(firstFitLifo(), [104, 104, 104]);
    const words = new Int32Array(heap.memory.buffer);
    const own = getLink(words, holes[2]!, 0);
    expect(own).toBe(2);
    setLink(words, holes[2]!, 0, stamp);
    const before = heap.memory.slice();
    expect(() => heap.malloc(96)).toThrow(corruption); // find offers hole 2; its removal checks the stamp
    expect(heap.memory).toEqual(before);
    expect(() => heap.check()).toThrow(/stamped/);
    setLink(words, holes[2]!, 0, own);
    heap.check();
    expect(heap.malloc(96) - 8).toBe(holes[2]);
  });

  it("is CORRUPTION for a free that merges with the block, before anything changes", () => {
    const { heap, holes } = heapWithHoles(firstFitLifo(), [104, 104, 104]);
    const words = new Int32Array(heap.memory.buffer);
    setLink(words, holes[1]!, 0, getLink(words, holes[0]!, 0)); // hole 1 claims hole 0's slot
    const before = heap.memory.slice();
    // The guard between hole 1 and hole 2 (24 bytes above hole 1's 104): freeing it merges with both holes.
    expect(() => heap.free(holes[1]! + 104 + 8)).toThrow(corruption);
    expect(heap.memory).toEqual(before);
  });
});
