/**
 * Next fit's roving pointer: where the search resumes after the rover's block is allocated whole, after it
 * is coalesced into a free neighbour below it, and at the top of the heap (wrap-around).
 */
import { firstFit, nextFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { heapWithHoles } from "./support/holes.js";

describe("next-fit rover", () => {
  it("continues above a block it allocated whole, instead of returning to a lower hole", () => {
    const { heap, holes } = heapWithHoles(nextFit(), [104, 104, 104, 104]);
    const a = heap.malloc(96); // wraps from the filler: hole 0, taken whole
    const b = heap.malloc(96); // hole 1
    expect([a - 8, b - 8]).toEqual([holes[0], holes[1]]);
    heap.free(a); // hole 0 is free again, below the rover
    expect(heap.malloc(96) - 8).toBe(holes[2]); // next fit goes on from hole 1 (used) to hole 2
    const first = heapWithHoles(firstFit(), [104, 104, 104, 104]).heap;
    const fa = first.malloc(96);
    first.malloc(96);
    first.free(fa);
    expect(first.malloc(96)).toBe(fa); // first fit would go back to hole 0
  });

  it("moves to the merged block when its block is coalesced into a free neighbour below", () => {
    // Layout: [g][hole 0: 208][g][A: 104][B: 208][g][filler]; B directly above A.
    const { heap, holes } = heapWithHoles(nextFit(), [208, 104 + 208]);
    const h0 = heap.malloc(200); // wraps to hole 0, exact fit
    const a = heap.malloc(96); // hole 1's low 104 bytes: A (the rover is now A)
    const b = heap.malloc(200); // the remainder above A: B (the rover is now B)
    expect([h0 - 8, a - 8, b - 8]).toEqual([holes[0], holes[1], holes[1]! + 104]);
    heap.free(b); // B is free; the rover's block is free again
    heap.free(a); // A merges with B: one 312-byte block at A, covering the rover's address
    heap.free(h0); // a fitting hole below, which first fit would take
    heap.check();
    // The rover moved to A, the start of the merged block, so the search starts there. Had it stayed at B's
    // address (now inside a free block), the search would skip the merged block and wrap to hole 0.
    expect(heap.malloc(96)).toBe(a);
  });

  it("wraps around to the bottom when nothing fits above the rover", () => {
    const { heap, holes } = heapWithHoles(nextFit(), [208, 104, 208]);
    expect(heap.malloc(200) - 8).toBe(holes[0]); // from the filler, wrapped
    expect(heap.malloc(200) - 8).toBe(holes[2]); // on past the 104
    heap.free(holes[0]! + 8);
    expect(heap.malloc(200) - 8).toBe(holes[0]); // nothing above hole 2: wrap to hole 0
    expect(heap.strategy.examined).toBeGreaterThan(0);
  });

  it("follows its freed block into the free block below it", () => {
    const { heap, holes } = heapWithHoles(nextFit(), [104 + 104, 312]);
    const a = heap.malloc(96); // hole 0's low half
    const b = heap.malloc(96); // hole 0's high half, exact: the rover is b's block
    expect(b - 8).toBe(holes[0]! + 104);
    heap.free(a); // below the rover, separate from it
    heap.free(b); // b merges with a (below): the merged block at a covers the rover
    // The search starts at the merged block (208 bytes, fits); from b's old address it would take hole 1.
    expect(heap.malloc(200)).toBe(a);
    expect(holes[1]).toBeGreaterThan(a);
  });
});
