/**
 * first-fit-lifo takes the most recently freed block that fits, whatever its address (its forged stamps:
 * first-fit-lifo-forged-stamp-is-corruption.test.ts).
 */
import { createHeap } from "@dmm/core";
import { firstFit, firstFitLifo } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { heapWithHoles } from "./support/holes.js";

describe("first-fit-lifo", () => {
  it("serves a request from the block freed last, where address-ordered first fit takes the lowest", () => {
    // Four 104-byte holes freed in order 3, 0, 2, 1: the list is 1, 2, 0, 3.
    const order = [3, 0, 2, 1];
    const lifo = heapWithHoles(firstFitLifo(), [104, 104, 104, 104], order);
    const ordered = heapWithHoles(firstFit(), [104, 104, 104, 104], order);
    expect(lifo.heap.malloc(96) - 8).toBe(lifo.holes[1]);
    expect(lifo.heap.malloc(96) - 8).toBe(lifo.holes[2]);
    expect(ordered.heap.malloc(96) - 8).toBe(ordered.holes[0]);
    lifo.heap.check();
  });

  it("skips blocks at the head that are too small and counts each one it examined", () => {
    // Holes 504, 104, 104 freed in address order: the list is 104, 104, 504.
    const { heap, holes } = heapWithHoles(firstFitLifo(), [504, 104, 104]);
    expect(heap.malloc(200) - 8).toBe(holes[0]);
    expect(heap.lastSearchCost).toBe(3);
  });

  it("pushes a split remainder at the head, so the next small request is carved next to the last one", () => {
    const heap = createHeap({ size: 4096, strategy: firstFitLifo() });
    const a = heap.malloc(100);
    const b = heap.malloc(100);
    heap.free(a); // list: a's block, then the remainder above b
    const c = heap.malloc(40); // from a's block; its 64-byte remainder goes to the head
    const d = heap.malloc(40);
    expect(c).toBe(a);
    expect(d).toBe(a + 48);
    expect(heap.malloc(40)).toBe(b + 112);
    heap.check();
  });
});
