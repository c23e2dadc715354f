/**
 * What the size-keyed treaps (size-tree.ts, size-chain-tree.ts) have in common: one instance holds several
 * independent trees (one root and one count per tree, so segregated fit can keep one per size class), nodes
 * are free blocks whose link words 0 and 1 are the left and right child, and walks are iterative.
 *
 * Each subclass keeps its own insert / remove / search loops: they differ in what the key is (a copied size
 * and the address, or the header's size) and are the hot paths, so they stay straight-line code with no
 * callback or virtual call per node.
 *
 * A "slot" is where a child pointer lives: a word index into `words` (>= 0), or ~r for root r (< 0).
 */
import type { StrategyHost } from "@dmm/core";

export const LEFT = 2; // word offsets inside a block: header (0), requested (1), then the link words
export const RIGHT = 3;

/**
 * A bijection on 32-bit integers (murmur3's fmix32): distinct inputs get distinct, well-mixed outputs, so a
 * treap prioritised by it is balanced in expectation and needs no priority word.
 */
export function mix32(x: number): number {
  let h = x;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export abstract class TreapForest {
  protected host!: StrategyHost;
  protected words: Int32Array = new Int32Array(0);
  /** Root block of each tree, 0 when empty. */
  readonly roots: Int32Array;
  /** Blocks in each tree. */
  readonly counts: Int32Array;
  /** Nodes visited by searches since the caller last reset it. */
  examined = 0;

  constructor(trees: number) {
    this.roots = new Int32Array(trees);
    this.counts = new Int32Array(trees);
  }

  attach(host: StrategyHost): void {
    this.host = host;
    this.words = host.words;
    this.roots.fill(0);
    this.counts.fill(0);
    this.examined = 0;
  }

  protected setSlot(slot: number, block: number): void {
    if (slot < 0) this.roots[~slot] = block;
    else this.words[slot] = block;
  }

  /** The leftmost (smallest-keyed) node of tree `r`, or 0; counts the nodes visited. */
  protected leftmost(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    let seen = 1;
    for (let l = w[(t >> 2) + LEFT]!; l !== 0; l = w[(t >> 2) + LEFT]!) {
      t = l;
      seen++;
    }
    this.examined += seen;
    return t;
  }

  /** The rightmost (largest-keyed) node of tree `r`, or 0; not counted (no search asks for it). */
  protected rightmost(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    for (let n = w[(t >> 2) + RIGHT]!; n !== 0; n = w[(t >> 2) + RIGHT]!) t = n;
    return t;
  }

  /**
   * Visits the nodes of tree `r` in key order (an explicit stack, no recursion), throwing if the walk goes
   * deeper than the tree's count allows (a cycle, or links overwritten by a buffer overflow).
   */
  protected walkNodes(r: number, visit: (node: number) => void): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    const stack: number[] = [];
    let t = this.roots[r]!;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (stack.length > limit) throw new Error(`size tree ${r} has a cycle`);
        stack.push(t);
        t = w[(t >> 2) + LEFT]!;
      }
      t = stack.pop()!;
      visit(t);
      t = w[(t >> 2) + RIGHT]!;
    }
  }
}
