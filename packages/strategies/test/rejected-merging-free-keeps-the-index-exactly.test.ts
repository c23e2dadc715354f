/**
 * A free that merges with both neighbours takes them out of the index, then vets the merged block's insert
 * against the index as the removals left it. When one neighbour sits in a list or a bin (segregated fit's small
 * bins, best fit's exact-size bins) and the other in a tree, the tree's removal can bring damage
 * onto the merged block's path: here the removed tree node's left link was forged to name another free block, which
 * the removal's own checks accept (a free block, smaller) and which the merge puts in the node's place, where the
 * vetting then meets it (a walk longer than the tree). The free is rejected; it must leave every byte of the heap
 * and the strategy's own arrays as they were. Putting the neighbours back through insert did not: the tree came
 * back word for word (its removal log), but the small neighbour was pushed back at its list's head (segregated
 * fit) or at another place of its bin's array (best fit, opposite-ends fit, whose index is best fit's; first fit's was
 * bins and a treap too, until its index became a bitmap and a tree of maxima beside the heap, which follows no link).
 * The heap now takes the larger neighbour (a tree's) out first and vets the merged block's insert after each
 * removal (core heap.ts removeNeighbours), so no list's or bin's removal precedes a rejection; with the old order
 * (the block above first) all three fail.
 *
 * The heap (64 KiB, immediate coalescing), in address order: [pad] lo u X u P F N u c1 u c2 u rest, every u used,
 * lo, N, c1, c2 small blocks of one size, X and P large blocks of one tree with X above P in it; all but the u's,
 * F and the rest freed (in `frees` order; the small ones zeroed by the program first), then P's left link forged,
 * then free(F).
 */
import { createHeap, type Heap, HeapError } from "@dmm/core";
import { strategyByName } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { strategyState } from "./support/strategy-state.js";

interface Shape {
  name: string;
  /** Block sizes of the pad (0: none), X, P and the small blocks. */
  pad: number;
  x: number;
  p: number;
  small: number;
  /** Free order: the small block N must not be where a re-insert puts it (a list's head, a bin's end). */
  frees: string[];
  /** The free block P's left link is forged to name. */
  target: string;
  /**
   * The strategy that places the blocks, when not the one tested: it hands over (setStrategy) before the frees.
   * Opposite-ends fit carves small requests from a block's high end, so its own mallocs cannot lay the blocks out
   * in this order; its index is best fit's (bins below 4096 B, a size tree above), and from the frees on it is the
   * one at work.
   */
  layout?: string;
}

const SHAPES: Shape[] = [
  // Segregated fit's X and P above its small bins (SMALL_BIN_LIMIT, 4 KiB), in one tree bin (5120..6143).
  { name: "segregated-fit", pad: 0, x: 5200, p: 5260, small: 32, frees: ["X", "P", "lo", "N", "c1", "c2"], target: "c2" },
  // Best fit's X and P above its bins (BEST_FIT_BIN_LIMIT, 16 KiB), in its tree.
  { name: "best-fit", pad: 0, x: 20480, p: 20688, small: 32, frees: ["X", "P", "lo", "c1", "N", "c2"], target: "lo" },
  { name: "opposite-ends-fit", pad: 0, x: 20480, p: 20688, small: 32, frees: ["X", "P", "lo", "c1", "N", "c2"], target: "lo", layout: "best-fit" },
];

/** Builds the heap; returns it and the payload pointer of each named block. */
function build(shape: Shape): { heap: Heap; at: Record<string, number> } {
  const heap = createHeap({ size: 1 << 16, strategy: strategyByName(shape.layout ?? shape.name).create() });
  const at: Record<string, number> = {};
  const blocks: Array<[string, number]> = [
    ...(shape.pad ? [["pad", shape.pad] as [string, number]] : []),
    ["lo", shape.small], ["u0", 64], ["X", shape.x], ["u1", 64], ["P", shape.p], ["F", 48], ["N", shape.small], ["u2", 64],
    ["c1", shape.small], ["u3", 64], ["c2", shape.small], ["u4", 64],
  ];
  for (const [name, bytes] of blocks) at[name] = heap.malloc(bytes - 8);
  heap.malloc(heap.stats().largestFreeBlock); // the rest, used
  if (shape.layout !== undefined) heap.setStrategy(strategyByName(shape.name).create());
  // The program zeroes its small blocks (link words the free blocks held before, in their payload, are gone).
  for (const name of ["lo", "N", "c1", "c2"]) heap.memory.fill(0, at[name]!, at[name]! + shape.small - 8);
  for (const name of shape.frees) heap.free(at[name]!);
  return { heap, at };
}

describe.each(SHAPES.map((s) => [s.name, s] as const))("%s", (_, shape) => {
  it("a merging free rejected after its removals leaves every byte and the strategy's arrays as they were", () => {
    const { heap, at } = build(shape);
    const words = new Int32Array(heap.memory.buffer);
    const left = ((at.P! - 8) >> 2) + 2; // P's link word 0: its left child in the tree
    expect(words[left]).toBe(0);
    words[left] = at[shape.target]! - 8;
    const bytes = heap.memory.slice();
    const state = strategyState(heap.strategy);
    const stats = heap.stats();
    let caught: unknown = null;
    try {
      heap.free(at.F!);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HeapError);
    expect((caught as HeapError).code).toBe("CORRUPTION");
    expect(heap.memory.findIndex((b, i) => b !== bytes[i]), "first byte the rejected free changed").toBe(-1);
    expect(strategyState(heap.strategy)).toEqual(state);
    expect(heap.stats()).toEqual(stats);
    words[left] = 0; // the damage repaired: the heap is as it was before it
    heap.check();
    heap.free(at.F!);
    heap.check();
  });
});
