/**
 * The address tree's walks record their path in a scratch array that starts at 64 entries and must stay longer
 * than the tree has nodes (address-tree.ts, touched). A treap's priorities are a hash of the address, so free
 * blocks chosen with priorities falling as addresses rise form one right spine: here a path of more than 64 nodes,
 * which next fit's search, removal and insert all walk to its end. Placement must stay first fit from the rover
 * and the tree exact (check(): every subtree maximum recomputed).
 */
import { createHeap } from "@dmm/core";
import { nextFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";

/** address-tree.ts priority, restated to choose the blocks (the test fails if the two part). */
const priority = (block: number) => Math.imul(block, 0x9e3779b1) >>> 0;

describe("next fit on an address tree deeper than its scratch path", () => {
  it("finds, removes and reinserts along a spine of more than 64 nodes", () => {
    const heap = createHeap({ size: 1 << 19, coalescing: "none", strategy: nextFit() });
    const ptrs: number[] = [];
    for (;;) {
      const p = heap.malloc(24);
      if (p === 0) break;
      ptrs.push(p);
    }
    // The longest run of blocks, by rising address, whose priorities fall (a longest decreasing subsequence).
    const blocks = ptrs.map((p) => p - 8); // a block starts 8 bytes (its header) below its payload
    const pr = blocks.map(priority);
    const best = new Int32Array(blocks.length).fill(1);
    const prev = new Int32Array(blocks.length).fill(-1);
    let end = 0;
    for (let i = 0; i < blocks.length; i++) {
      for (let j = Math.max(0, i - 400); j < i; j++) {
        if (pr[j]! > pr[i]! && best[j]! + 1 > best[i]!) {
          best[i] = best[j]! + 1;
          prev[i] = j;
        }
      }
      if (best[i]! > best[end]!) end = i;
    }
    const chain: number[] = [];
    for (let i = end; i >= 0; i = prev[i]!) chain.unshift(i);
    expect(chain.length).toBeGreaterThan(64);
    const leftover = heap.stats().freeBlocks; // the arena's end, too small for another block of 24 bytes
    for (const i of chain) heap.free(ptrs[i]!);
    heap.check();
    expect(heap.stats().freeBlocks).toBe(leftover + chain.length);
    // The arena is full but for the chain: each malloc wraps or moves on to the next chain block up.
    chain.forEach((i, k) => {
      expect(heap.malloc(24)).toBe(ptrs[i]);
      if (k % 16 === 0) heap.check();
    });
    for (const i of chain) heap.free(ptrs[i]!);
    heap.check();
  });
});
