/**
 * Worst fit's merging free and splitting malloc take blocks out of the size tree before the insert that ends the
 * call; taking them out restructures the path that insert walks. Damage that only this new path meets (here one
 * node's size key overwritten, out of the tree's order) must be reported with the heap's bytes exactly as they
 * were: the heap vets the insert again after the removals, and when it fails puts the removed blocks back, the
 * tree restoring every word its removal wrote (removal-log.ts). The red team found both on 4 KiB heaps
 * (red-team.test.ts, RED_TEAM_SEED=836621611 and 22) when worst fit kept every block in its tree; it now keeps
 * blocks below 16 KiB in best fit's bins (best-fit.ts), so these heaps hold blocks of 16 KiB and more: the splitting
 * malloc is the one found with its sizes scaled up, the merging free a layout searched for where the heap's vetting
 * before the removal passes and the one after it fails.
 */
import { createHeap, HeapError } from "@dmm/core";
import { worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { BEST_FIT_BIN_LIMIT } from "../src/best-fit.js";

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

/** A request whose block (payload and an 8-byte header, rounded to 8) is `k` 8-byte units above the bins' limit. */
const big = (k: number) => BEST_FIT_BIN_LIMIT + 8 * k;

describe("worst fit: a rejected call leaves the heap unchanged", () => {
  it("a splitting malloc whose remainder's insert meets a smashed key once the found block is out", () => {
    const h = createHeap({ size: 1 << 18, coalescing: "none", strategy: worstFit() });
    const a = h.malloc(big(0));
    h.free(a); // the first block, free, in the tree
    h.malloc(big(0)); // split from the large block above: the remainder heads the tree
    const words = new Int32Array(h.memory.buffer);
    words[((a - 8) >> 2) + 4] = -8; // the first block's size key (link word 2): out of order, off the malloc's search
    expect(rejected(h.memory, () => h.malloc(big(0)))).toBe(-1);
  });

  it("a merging free whose merged block's insert meets a smashed key once the neighbour is out", () => {
    const h = createHeap({ size: 1 << 18, coalescing: "immediate", strategy: worstFit() });
    const p = Array.from({ length: 10 }, () => h.malloc(big(0))); // ten blocks, then the free rest at the top
    h.free(p[1]!); // block 1, free between used neighbours
    const words = new Int32Array(h.memory.buffer);
    words[((p[1]! - 8) >> 2) + 4] = -2; // block 1's size key
    // free(block 9) merges with the free rest above it; with the rest out, the merged block's insert passes block 1.
    expect(rejected(h.memory, () => h.free(p[9]!))).toBe(-1);
    expect(h.stats().freeBlocks).toBe(2);
  });

  it("a moving realloc whose free meets a smashed key once the malloc re-linked the tree", () => {
    const h = createHeap({ size: 1 << 18, coalescing: "immediate", strategy: worstFit() });
    const p = [0, 1, 2, 3].map(() => h.malloc(big(0))); // four blocks, then the free rest at the top
    h.free(p[0]!);
    h.free(p[2]!); // blocks 0 and 2 free, block 1 between them
    const words = new Int32Array(h.memory.buffer);
    words[((p[0]! - 8) >> 2) + 4] = -2; // block 0's size key
    const stats = h.stats();
    // realloc(block 1) must move: its malloc carves the rest at the top and files the remainder; the free of block 1
    // then takes its free neighbour 2 out, and the merged block's insert passes block 0. The malloc is undone.
    expect(rejected(h.memory, () => h.realloc(p[1]!, big(2700)))).toBe(-1);
    expect(h.stats()).toEqual(stats);
  });
});
