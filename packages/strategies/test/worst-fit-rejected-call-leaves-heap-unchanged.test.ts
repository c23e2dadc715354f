/**
 * Worst fit's merging free and splitting malloc take blocks out of the size tree before the insert that ends the
 * call; taking them out restructures the path that insert walks. Damage that only this new path meets (here one
 * node's size key overwritten, out of the tree's order) must be reported with the heap's bytes exactly as they
 * were: the heap vets the insert again after the removals, and when it fails puts the removed blocks back, the
 * tree restoring every word its removal wrote (removal-log.ts). Both heaps were found by the red team
 * (red-team.test.ts, RED_TEAM_SEED=836621611 and 22), shrunk by fast-check.
 */
import { createHeap, HeapError } from "@dmm/core";
import { worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";

/** Runs a call that must be rejected as CORRUPTION; returns the first byte of the heap it changed, or -1. */
function rejected(memory: Uint8Array, call: () => unknown): number {
  const before = memory.slice();
  let caught: unknown = null;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  return memory.findIndex((b, i) => b !== before[i]);
}

describe("worst fit: a rejected call leaves the heap unchanged", () => {
  it("a splitting malloc whose remainder's insert meets a smashed key once the found block is out", () => {
    const h = createHeap({ size: 4096, coalescing: "none", strategy: worstFit() });
    h.free(h.malloc(0)); // the 24-byte block at 8, free
    h.malloc(0); // split from the large block at 32: the remainder at 56 heads the tree
    const words = new Int32Array(h.memory.buffer);
    words[(8 >> 2) + 4] = -8; // block 8's size key (link word 2): out of order, off the path of the malloc's search
    expect(rejected(h.memory, () => h.malloc(0))).toBe(-1);
  });

  it("a merging free whose merged block's insert meets a smashed key once the neighbour is out", () => {
    const h = createHeap({ size: 4096, coalescing: "immediate", strategy: worstFit() });
    const p = [16, 16, 16, 24, 24, 16, 16, 16].map((n) => h.malloc(n)); // blocks at 8, 32, 56, 80, 112, 144, 168, 192
    for (const i of [0, 2, 5]) h.free(p[i]!); // free blocks 8, 56, 144 (used neighbours) and the rest at 216
    const words = new Int32Array(h.memory.buffer);
    words[(8 >> 2) + 4] = -2; // block 8's size key
    // free(block 112) merges with 144 above it; with 144 out, the insert of (56 bytes, 112) passes block 8.
    expect(rejected(h.memory, () => h.free(p[4]!))).toBe(-1);
    expect(h.stats().freeBlocks).toBe(4);
  });
});
