/**
 * Size-keyed treaps with a chain of equal-size blocks hanging off each tree node, kept in the free blocks'
 * own link words — the shape of dlmalloc's tree bins. The tree holds one node per distinct size, so its depth
 * depends on how many distinct sizes a bin can hold (at most its width / 8), not on how many blocks it holds:
 * a bin of 512..639-byte blocks has at most 16 distinct sizes whether it holds 10 blocks or 10 000. Blocks of
 * a size already in the tree go on that node's chain in O(1) after the descent, and leave it in O(1).
 *
 *   tree node (first block of its size to arrive)     chain member (a later block of the same size)
 *     link 0 = left child  (smaller sizes)              link 0 = next member (0 ends the chain)
 *     link 1 = right child (larger sizes)               link 1 = previous member, or the tree node
 *     link 2 = first chain member, or 0                 link 2 = MEMBER (-1): not a tree node
 *
 * Priorities are a bijective hash of the size (murmur3's finalizer), not of the address, so a chain member can
 * replace its tree node in place when the node leaves (same key, same priority: the treap stays valid).
 * Searches return the chain's first member when there is one (the latest arrival, removable in O(1)), else
 * the node: ties among equal sizes go LIFO, with the size's first block served last, as in dlmalloc.
 *
 * One instance holds several independent trees (one per size class). A "slot" is where a child pointer lives:
 * a word index into `words` (>= 0), or ~r for root r (< 0).
 */
import { blockSize, type StrategyHost } from "@dmm/core";

const LEFT = 2; // word offsets inside a block: header (0), requested (1), then the link words
const RIGHT = 3;
const CHAIN = 4;
const NEXT = 2; // the same words, as a chain member uses them
const PREV = 3;
const MEMBER_MARK = 4;
const MEMBER = -1;

/** A bijection on 32-bit integers (murmur3 fmix32): distinct sizes get distinct, well-mixed priorities. */
function priority(size: number): number {
  let h = size;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SizeChainTrees {
  private host!: StrategyHost;
  private words: Int32Array = new Int32Array(0);
  /** Root block of each tree, 0 when empty. */
  readonly roots: Int32Array;
  /** Blocks (tree nodes and chain members) in each tree. */
  readonly counts: Int32Array;
  /** Tree nodes visited by searches since the caller last reset it. */
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

  private setSlot(slot: number, block: number): void {
    if (slot < 0) this.roots[~slot] = block;
    else this.words[slot] = block;
  }

  /** Adds `block` (of `size` bytes) to tree `r`. */
  insert(r: number, block: number, size: number): void {
    const w = (this.words = this.host.words);
    const x = block >> 2;
    const p = priority(size);
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== 0) {
      const kt = w[t >> 2]! & ~7;
      if (kt === size) {
        // Push onto the node's chain, right after the node.
        const first = w[(t >> 2) + CHAIN]!;
        w[x + NEXT] = first;
        w[x + PREV] = t;
        w[x + MEMBER_MARK] = MEMBER;
        if (first !== 0) w[(first >> 2) + PREV] = block;
        w[(t >> 2) + CHAIN] = block;
        this.counts[r]!++;
        return;
      }
      // A node of lower priority cannot have this size below it (its priority would be p > the node's).
      if (priority(kt) < p) break;
      slot = size < kt ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    this.setSlot(slot, block);
    w[x + CHAIN] = 0;
    let leftSlot = x + LEFT;
    let rightSlot = x + RIGHT;
    while (t !== 0) {
      if ((w[t >> 2]! & ~7) < size) {
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
    const x = block >> 2;
    if (w[x + MEMBER_MARK] === MEMBER) {
      const prev = w[x + PREV]!;
      const next = w[x + NEXT]!;
      if (w[(prev >> 2) + MEMBER_MARK] === MEMBER) w[(prev >> 2) + NEXT] = next;
      else w[(prev >> 2) + CHAIN] = next;
      if (next !== 0) w[(next >> 2) + PREV] = prev;
      this.counts[r]!--;
      return;
    }
    const size = w[x]! & ~7;
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== block) {
      if (t === 0) throw new Error(`block ${block} is not in size tree ${r}`);
      slot = size < (w[t >> 2]! & ~7) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    const first = w[x + CHAIN]!;
    if (first !== 0) {
      // The chain's first member takes the node's place: same size, same priority.
      const m = first >> 2;
      const rest = w[m + NEXT]!;
      w[m + LEFT] = w[x + LEFT]!;
      w[m + RIGHT] = w[x + RIGHT]!;
      w[m + CHAIN] = rest;
      if (rest !== 0) w[(rest >> 2) + PREV] = first;
      this.setSlot(slot, first);
    } else {
      let a = w[x + LEFT]!;
      let b = w[x + RIGHT]!;
      while (a !== 0 && b !== 0) {
        if (priority(w[a >> 2]! & ~7) > priority(w[b >> 2]! & ~7)) {
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
    }
    this.counts[r]!--;
  }

  /** Serve from node t: its chain's first member if any, else t itself. */
  private pick(t: number): number {
    const first = this.words[(t >> 2) + CHAIN]!;
    return first !== 0 ? first : t;
  }

  /** A block of the smallest size >= `size` in tree `r`, or 0. */
  lowerBound(r: number, size: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    let best = 0;
    let seen = 0;
    while (t !== 0) {
      seen++;
      if ((w[t >> 2]! & ~7) >= size) {
        best = t;
        t = w[(t >> 2) + LEFT]!;
      } else {
        t = w[(t >> 2) + RIGHT]!;
      }
    }
    this.examined += seen;
    return best === 0 ? 0 : this.pick(best);
  }

  /** A block of the smallest size in tree `r`, or 0. */
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
    return this.pick(t);
  }

  /** The largest size in tree `r`, or 0. */
  largestSize(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    for (let n = w[(t >> 2) + RIGHT]!; n !== 0; n = w[(t >> 2) + RIGHT]!) t = n;
    return w[t >> 2]! & ~7;
  }

  /** Visits tree `r`: nodes in size order, each followed by its chain. */
  forEach(r: number, visit: (block: number) => void): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    const stack: number[] = [];
    let seen = 0;
    let t = this.roots[r]!;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (stack.length > limit) throw new Error(`size tree ${r} has a cycle`);
        stack.push(t);
        t = w[(t >> 2) + LEFT]!;
      }
      t = stack.pop()!;
      visit(t);
      for (let m = w[(t >> 2) + CHAIN]!; m !== 0; m = w[(m >> 2) + NEXT]!) {
        if (++seen > limit) throw new Error(`a chain in size tree ${r} has a cycle`);
        visit(m);
      }
      t = w[(t >> 2) + RIGHT]!;
    }
  }

  /**
   * Tree `r`: node sizes strictly increase in order, priorities form a heap, node sizes lie in
   * [minSize, maxSize], every chain member has its node's size and consistent links, and the count matches.
   */
  check(r: number, minSize = 0, maxSize = Infinity): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    let count = 0;
    let prevSize = -1;
    const stack: number[] = [];
    let t = this.roots[r]!;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (++count > limit) throw new Error(`size tree ${r} holds more blocks than the ${limit} it counted`);
        if (w[(t >> 2) + MEMBER_MARK] === MEMBER) throw new Error(`block ${t} is marked as a chain member but sits in the tree`);
        const l = w[(t >> 2) + LEFT]!;
        const rt = w[(t >> 2) + RIGHT]!;
        const pt = priority(blockSize(w, t));
        if ((l !== 0 && priority(blockSize(w, l)) > pt) || (rt !== 0 && priority(blockSize(w, rt)) > pt)) {
          throw new Error(`block ${t} breaks the treap's priority order`);
        }
        stack.push(t);
        t = l;
      }
      t = stack.pop()!;
      const size = blockSize(w, t);
      if (size < minSize || size > maxSize) throw new Error(`block size ${size} indexed in wrong list (bin holds ${minSize}..${maxSize})`);
      if (size <= prevSize) throw new Error(`block ${t} (size ${size}) is out of size order`);
      prevSize = size;
      let prev = t;
      for (let m = w[(t >> 2) + CHAIN]!; m !== 0; m = w[(m >> 2) + NEXT]!) {
        if (++count > limit) throw new Error(`size tree ${r} holds more blocks than the ${limit} it counted`);
        if (w[(m >> 2) + MEMBER_MARK] !== MEMBER) throw new Error(`block ${m} on the chain of ${t} is not marked as a member`);
        if (w[(m >> 2) + PREV] !== prev) throw new Error(`block ${m}: previous link disagrees with the chain of ${t}`);
        if (blockSize(w, m) !== size) throw new Error(`block ${m} of size ${blockSize(w, m)} is chained under size ${size}`);
        prev = m;
      }
      t = w[(t >> 2) + RIGHT]!;
    }
    if (count !== limit) throw new Error(`size tree ${r} counted ${limit} blocks but holds ${count}`);
  }
}
