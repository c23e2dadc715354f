/**
 * Size-ordered treaps of free blocks, kept in the free blocks' own link words (no JS objects). The key is the
 * pair (size, address), so equal sizes are ordered by address and every key is unique: the leftmost node of
 * size >= n is the smallest block that fits and, among blocks of that size, the lowest-addressed one. That
 * is exactly best fit's decision; worst fit asks for the lowest address among the largest size.
 *
 * One instance holds several independent trees (`trees` roots), so segregated fit can keep one per size class.
 *
 * Link words: 0 = left child, 1 = right child, 2 = the key's size, copied at insert so that removal and the
 * checker do not depend on a header a buffer overflow might have overwritten (check() compares the two).
 * Priorities are a bijective hash of the address (murmur3's finalizer), so the treap is balanced in
 * expectation and needs no priority word. Insert and remove are iterative (split / merge with "slots"): no
 * recursion and no allocation per operation.
 *
 * A "slot" is where a child pointer lives: a word index into `words` (>= 0), or ~r for root r (< 0).
 */
import { blockSize, type StrategyHost } from "@dmm/core";

const LEFT = 2; // word offsets inside a block: header (0), requested (1), then the link words
const RIGHT = 3;
const KEY = 4;

/** A bijection on 32-bit integers (murmur3 fmix32): distinct addresses get distinct, well-mixed priorities. */
function priority(block: number): number {
  let h = block;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SizeTrees {
  private host!: StrategyHost;
  private words: Int32Array = new Int32Array(0);
  /** Root block of each tree, 0 when empty. */
  readonly roots: Int32Array;
  /** Nodes in each tree. */
  readonly counts: Int32Array;
  /** Nodes visited by searches since the caller last reset it. */
  examined = 0;

  constructor(trees = 1) {
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

  /** The size key a node was inserted with. */
  keyOf(block: number): number {
    return this.host.words[(block >> 2) + KEY]!;
  }

  private setSlot(slot: number, block: number): void {
    if (slot < 0) this.roots[~slot] = block;
    else this.words[slot] = block;
  }

  /** Adds `block` (of `size` bytes) to tree `r`. */
  insert(r: number, block: number, size: number): void {
    const w = (this.words = this.host.words);
    const x = block >> 2;
    w[x + KEY] = size;
    const p = priority(block);
    // Descend to the first node of lower priority: x takes its place and that subtree is split around x.
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== 0 && priority(t) > p) {
      const kt = w[(t >> 2) + KEY]!;
      slot = size < kt || (size === kt && block < t) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    this.setSlot(slot, block);
    let leftSlot = x + LEFT; // where the next node smaller than x hangs
    let rightSlot = x + RIGHT; // where the next node larger than x hangs
    while (t !== 0) {
      const kt = w[(t >> 2) + KEY]!;
      if (kt < size || (kt === size && t < block)) {
        w[leftSlot] = t;
        leftSlot = (t >> 2) + RIGHT;
        t = w[leftSlot]!;
      } else {
        w[rightSlot] = t;
        rightSlot = (t >> 2) + LEFT;
        t = w[rightSlot]!;
      }
    }
    w[leftSlot] = 0;
    w[rightSlot] = 0;
    this.counts[r]!++;
  }

  /** Takes `block` out of tree `r`; throws if it is not there. */
  remove(r: number, block: number): void {
    const w = (this.words = this.host.words);
    const size = w[(block >> 2) + KEY]!;
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== block) {
      if (t === 0) throw new Error(`block ${block} is not in size tree ${r}`);
      const kt = w[(t >> 2) + KEY]!;
      slot = size < kt || (size === kt && block < t) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    // Merge the two children into the vacated slot, higher priority on top.
    let a = w[(block >> 2) + LEFT]!;
    let b = w[(block >> 2) + RIGHT]!;
    while (a !== 0 && b !== 0) {
      if (priority(a) > priority(b)) {
        this.setSlot(slot, a);
        slot = (a >> 2) + RIGHT;
        a = w[slot]!;
      } else {
        this.setSlot(slot, b);
        slot = (b >> 2) + LEFT;
        b = w[slot]!;
      }
    }
    this.setSlot(slot, a !== 0 ? a : b);
    this.counts[r]!--;
  }

  /** The smallest block of at least `size` bytes in tree `r` (lowest address among equals), or 0. */
  lowerBound(r: number, size: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    let best = 0;
    let seen = 0;
    while (t !== 0) {
      seen++;
      if (w[(t >> 2) + KEY]! >= size) {
        best = t;
        t = w[(t >> 2) + LEFT]!;
      } else {
        t = w[(t >> 2) + RIGHT]!;
      }
    }
    this.examined += seen;
    return best;
  }

  /** The smallest block of tree `r` (lowest address among equals), or 0. */
  first(r: number): number {
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

  /** The largest block of tree `r` (highest address among equals), or 0. */
  last(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    let seen = 1;
    for (let n = w[(t >> 2) + RIGHT]!; n !== 0; n = w[(t >> 2) + RIGHT]!) {
      t = n;
      seen++;
    }
    this.examined += seen;
    return t;
  }

  /** Visits tree `r` in key order. */
  forEach(r: number, visit: (block: number) => void): void {
    const w = this.host.words;
    const stack: number[] = [];
    const limit = this.counts[r]!;
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

  /**
   * Tree `r`: keys strictly increase in order, priorities form a heap, every key equals its block's header
   * size and lies in [minSize, maxSize], and the node count matches.
   */
  check(r: number, minSize = 0, maxSize = Infinity): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    let count = 0;
    let prevKey = -1;
    let prev = -1;
    // In-order walk with an explicit stack; the heap property is checked against the parent on the way down.
    const stack: number[] = [];
    let t = this.roots[r]!;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (++count > limit) throw new Error(`size tree ${r} holds more nodes than the ${limit} it counted`);
        const l = w[(t >> 2) + LEFT]!;
        const rt = w[(t >> 2) + RIGHT]!;
        if ((l !== 0 && priority(l) > priority(t)) || (rt !== 0 && priority(rt) > priority(t))) {
          throw new Error(`block ${t} breaks the treap's priority order`);
        }
        stack.push(t);
        t = l;
      }
      t = stack.pop()!;
      const key = w[(t >> 2) + KEY]!;
      if (key !== blockSize(w, t)) throw new Error(`block ${t} is filed under size ${key} but its header says ${blockSize(w, t)}`);
      if (key < minSize || key > maxSize) throw new Error(`block size ${key} indexed in wrong list (bin holds ${minSize}..${maxSize})`);
      if (key < prevKey || (key === prevKey && t <= prev)) throw new Error(`block ${t} is out of (size, address) order`);
      prevKey = key;
      prev = t;
      t = w[(t >> 2) + RIGHT]!;
    }
    if (count !== limit) throw new Error(`size tree ${r} counted ${limit} nodes but holds ${count}`);
  }
}
